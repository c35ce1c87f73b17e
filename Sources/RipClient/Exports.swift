// A RipClient user gets the message types and RipError with one import.
@_exported import RipProto
@_exported import RipWire
