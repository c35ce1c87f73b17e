// A RipClient user gets the message types (RipSession, …), RipError and the limits, and
// swift-protobuf's `.with { }` and JSON coding, with one import — also with the upcoming
// MemberImportVisibility feature, which hides members of modules not imported directly.
@_exported import RipProto
@_exported import RipWire
@_exported import SwiftProtobuf
