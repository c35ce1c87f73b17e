/// Every bound the protocol puts on a request, in one place: the daemon's rules check them
/// (RipCore), clients size what they send by them (ripctl, RipClient), and PROTOCOL.md's
/// "Limits" table states them. Configurable limits (frame size, connections, quotas) are
/// options of ripd with their defaults beside them, not here.
public enum RipLimits {
    /// The longest URL any call takes (sessions, jobs, logs, cookies).
    public static let maxURLBytes = 8192

    /// Sessions: names, descriptions, tags, headers, URLs, counters and timeouts.
    public enum Session {
        public static let maxNameLength = 128
        public static let maxDescriptionLength = 1024
        public static let maxTagLength = 64
        public static let maxTags = 64
        public static let maxHeaders = 128
        public static let maxHeaderNameLength = 256
        public static let maxHeaderValueLength = 8192
        public static let maxReasonLength = 1024
        /// Request counters an import may carry: 2^53, exact in every JSON reader.
        public static let maxImportedCount: UInt64 = 1 << 53
        /// Ten years: far beyond any real timeout, small enough that no expiry arithmetic overflows.
        public static let maxMinutes: UInt64 = 10 * 366 * 24 * 60
        /// Sessions one DeleteSessions call names.
        public static let maxSessionsPerCall = 1000
        /// Values a filter of enum values (statuses, priorities, types) may list.
        public static let maxFilterValues = 16
    }

    /// Cookies: URLs and hosts of cookie calls, and cookies per call.
    public enum Cookie {
        /// A DNS name: at most 253 bytes in A-labels, each label at most 63 (RFC 1035 §2.3.4).
        public static let maxHostBytes = 253
        public static let maxLabelBytes = 63
        /// The Set-Cookie lines of a StoreResponseCookies call, parsed: that needs no state, so the
        /// handler does it before taking the writer lock.
        /// Set-Cookie lines in one StoreResponseCookies call, and cookies in one ImportCookies call:
        /// a jar's whole capacity (3,000).
        public static let maxCookiesPerCall = 3000
    }

    /// Jobs: submissions, claims, logs, checkpoints and results.
    public enum Job {
        public static let maxURLs = 10_000
        public static let maxMethodLength = 64
        public static let maxNameLength = 256
        public static let maxConfigBytes = 1 << 20
        public static let maxConcurrent: UInt32 = 1000
        public static let maxRetries: UInt32 = 100
        public static let maxTimeoutSeconds: UInt32 = 7 * 24 * 3600
        /// How far ahead run_at may be.
        public static let maxDelayMs: UInt64 = 366 * 24 * 3600 * 1000
        public static let maxLogEntriesPerCall = 1000
        public static let maxLogMessageBytes = 16 * 1024
        public static let maxCheckpointBytes = 1 << 20
        /// Result contents a job may hold in all (they live in memory and in snapshots).
        public static let maxResultBytes = 8 << 20
        public static let maxErrorLength = 4096
        public static let maxSummaryBytes = 64 * 1024
        public static let maxResultsPathBytes = 4096
        public static let maxClaimMethods = 32
        /// The longest `contains` filter of GetJobLogs (a log message holds at most 16 KiB).
        public static let maxLogFilterBytes = 1024
        public static let maxMetrics = 64
        public static let maxUniqueKeyLength = 256
        /// Jobs one job may be submitted to run after.
        public static let maxAfter = 100
        /// Keys with a limit (SetLimit).
        public static let maxLimitKeys = 10_000
        public static let maxSchedules = 10_000
        /// A job's webhook URL.
        public static let maxWebhookURLBytes = 2048
        /// How long a finished job may keep holding its unique key.
        public static let maxUniqueForMs: UInt64 = 366 * 24 * 3600 * 1000
    }

    /// Artifacts: names, metadata, globs and chunks.
    public enum Artifact {
        public static let maxNameLength = 256
        public static let maxContentTypeLength = 256
        public static let maxMetadataEntries = 64
        public static let maxMetadataKeyLength = 128
        public static let maxMetadataValueLength = 4096
        public static let maxGlobBytes = 1024
        /// Bytes a chunk of an upload or a read carries at most.
        public static let maxChunkBytes = 4 << 20
    }
}
