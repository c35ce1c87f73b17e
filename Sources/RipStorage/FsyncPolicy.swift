/// When an acknowledged change is on the disk (Redis's appendfsync, same three choices).
public enum FsyncPolicy: String, Sendable, CaseIterable {
    /// Replies wait for fdatasync of their batch. A crash loses nothing acknowledged.
    case always
    /// Replies wait for write(2); the log is fdatasynced once a second. A crash of ripd loses
    /// nothing; a crash of the machine loses up to the last second of acknowledged changes.
    case everysec
    /// Replies wait for write(2); the kernel writes back when it likes. A machine crash can lose
    /// anything not yet written back (typically up to 30 seconds).
    case never
}
