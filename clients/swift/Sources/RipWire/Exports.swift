// Whoever frames messages also throws and reads RipError.
@_exported import RipBase
