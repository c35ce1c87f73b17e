from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf import wrappers_pb2 as _wrappers_pb2
from ripd.proto import session_pb2 as _session_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Iterable as _Iterable, Mapping as _Mapping, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor
JOB_PRIORITY_CRITICAL: JobPriority
JOB_PRIORITY_HIGH: JobPriority
JOB_PRIORITY_LOW: JobPriority
JOB_PRIORITY_MEDIUM: JobPriority
JOB_PRIORITY_UNSPECIFIED: JobPriority
JOB_STATUS_CANCELLED: JobStatus
JOB_STATUS_COMPLETED: JobStatus
JOB_STATUS_DEAD: JobStatus
JOB_STATUS_FAILED: JobStatus
JOB_STATUS_PAUSED: JobStatus
JOB_STATUS_PENDING: JobStatus
JOB_STATUS_RUNNING: JobStatus
JOB_STATUS_SCHEDULED: JobStatus
JOB_STATUS_UNSPECIFIED: JobStatus
JOB_STATUS_WAITING: JobStatus
LOG_LEVEL_DEBUG: LogLevel
LOG_LEVEL_ERROR: LogLevel
LOG_LEVEL_INFO: LogLevel
LOG_LEVEL_UNSPECIFIED: LogLevel
LOG_LEVEL_WARN: LogLevel

class AcquireRequest(_message.Message):
    __slots__ = ["key", "url", "wait_ms"]
    KEY_FIELD_NUMBER: _ClassVar[int]
    URL_FIELD_NUMBER: _ClassVar[int]
    WAIT_MS_FIELD_NUMBER: _ClassVar[int]
    key: str
    url: str
    wait_ms: int
    def __init__(self, key: _Optional[str] = ..., url: _Optional[str] = ..., wait_ms: _Optional[int] = ...) -> None: ...

class AcquireResponse(_message.Message):
    __slots__ = ["granted", "key", "retry_after_ms", "waited_ms"]
    GRANTED_FIELD_NUMBER: _ClassVar[int]
    KEY_FIELD_NUMBER: _ClassVar[int]
    RETRY_AFTER_MS_FIELD_NUMBER: _ClassVar[int]
    WAITED_MS_FIELD_NUMBER: _ClassVar[int]
    granted: bool
    key: str
    retry_after_ms: int
    waited_ms: int
    def __init__(self, granted: bool = ..., key: _Optional[str] = ..., retry_after_ms: _Optional[int] = ..., waited_ms: _Optional[int] = ...) -> None: ...

class AppendLogsRequest(_message.Message):
    __slots__ = ["entries", "job_id", "token"]
    ENTRIES_FIELD_NUMBER: _ClassVar[int]
    JOB_ID_FIELD_NUMBER: _ClassVar[int]
    TOKEN_FIELD_NUMBER: _ClassVar[int]
    entries: _containers.RepeatedCompositeFieldContainer[LogEntry]
    job_id: str
    token: str
    def __init__(self, job_id: _Optional[str] = ..., token: _Optional[str] = ..., entries: _Optional[_Iterable[_Union[LogEntry, _Mapping]]] = ...) -> None: ...

class AppendLogsResponse(_message.Message):
    __slots__ = ["last_seq"]
    LAST_SEQ_FIELD_NUMBER: _ClassVar[int]
    last_seq: int
    def __init__(self, last_seq: _Optional[int] = ...) -> None: ...

class CancelJobsRequest(_message.Message):
    __slots__ = ["force", "job_id", "tag"]
    FORCE_FIELD_NUMBER: _ClassVar[int]
    JOB_ID_FIELD_NUMBER: _ClassVar[int]
    TAG_FIELD_NUMBER: _ClassVar[int]
    force: bool
    job_id: str
    tag: str
    def __init__(self, job_id: _Optional[str] = ..., tag: _Optional[str] = ..., force: bool = ...) -> None: ...

class CancelJobsResponse(_message.Message):
    __slots__ = ["cancelled", "requested"]
    CANCELLED_FIELD_NUMBER: _ClassVar[int]
    REQUESTED_FIELD_NUMBER: _ClassVar[int]
    cancelled: _containers.RepeatedCompositeFieldContainer[Job]
    requested: _containers.RepeatedCompositeFieldContainer[Job]
    def __init__(self, cancelled: _Optional[_Iterable[_Union[Job, _Mapping]]] = ..., requested: _Optional[_Iterable[_Union[Job, _Mapping]]] = ...) -> None: ...

class ClaimRequest(_message.Message):
    __slots__ = ["lease_ms", "max_jobs", "methods", "wait_ms", "worker_id"]
    LEASE_MS_FIELD_NUMBER: _ClassVar[int]
    MAX_JOBS_FIELD_NUMBER: _ClassVar[int]
    METHODS_FIELD_NUMBER: _ClassVar[int]
    WAIT_MS_FIELD_NUMBER: _ClassVar[int]
    WORKER_ID_FIELD_NUMBER: _ClassVar[int]
    lease_ms: int
    max_jobs: int
    methods: _containers.RepeatedScalarFieldContainer[str]
    wait_ms: int
    worker_id: str
    def __init__(self, worker_id: _Optional[str] = ..., methods: _Optional[_Iterable[str]] = ..., lease_ms: _Optional[int] = ..., wait_ms: _Optional[int] = ..., max_jobs: _Optional[int] = ...) -> None: ...

class ClaimResponse(_message.Message):
    __slots__ = ["jobs"]
    JOBS_FIELD_NUMBER: _ClassVar[int]
    jobs: _containers.RepeatedCompositeFieldContainer[ClaimedJob]
    def __init__(self, jobs: _Optional[_Iterable[_Union[ClaimedJob, _Mapping]]] = ...) -> None: ...

class ClaimedJob(_message.Message):
    __slots__ = ["headers", "job", "token", "user_agent"]
    class HeadersEntry(_message.Message):
        __slots__ = ["key", "value"]
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    HEADERS_FIELD_NUMBER: _ClassVar[int]
    JOB_FIELD_NUMBER: _ClassVar[int]
    TOKEN_FIELD_NUMBER: _ClassVar[int]
    USER_AGENT_FIELD_NUMBER: _ClassVar[int]
    headers: _containers.ScalarMap[str, str]
    job: Job
    token: str
    user_agent: str
    def __init__(self, job: _Optional[_Union[Job, _Mapping]] = ..., token: _Optional[str] = ..., user_agent: _Optional[str] = ..., headers: _Optional[_Mapping[str, str]] = ...) -> None: ...

class ClearJobsRequest(_message.Message):
    __slots__ = ["cancelled", "completed", "dead", "failed", "job_id", "older_than_ms"]
    CANCELLED_FIELD_NUMBER: _ClassVar[int]
    COMPLETED_FIELD_NUMBER: _ClassVar[int]
    DEAD_FIELD_NUMBER: _ClassVar[int]
    FAILED_FIELD_NUMBER: _ClassVar[int]
    JOB_ID_FIELD_NUMBER: _ClassVar[int]
    OLDER_THAN_MS_FIELD_NUMBER: _ClassVar[int]
    cancelled: bool
    completed: bool
    dead: bool
    failed: bool
    job_id: str
    older_than_ms: int
    def __init__(self, completed: bool = ..., failed: bool = ..., cancelled: bool = ..., older_than_ms: _Optional[int] = ..., dead: bool = ..., job_id: _Optional[str] = ...) -> None: ...

class ClearJobsResponse(_message.Message):
    __slots__ = ["removed"]
    REMOVED_FIELD_NUMBER: _ClassVar[int]
    removed: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, removed: _Optional[_Iterable[str]] = ...) -> None: ...

class CompleteAndClaimRequest(_message.Message):
    __slots__ = ["claim", "complete"]
    CLAIM_FIELD_NUMBER: _ClassVar[int]
    COMPLETE_FIELD_NUMBER: _ClassVar[int]
    claim: ClaimRequest
    complete: CompleteJobRequest
    def __init__(self, complete: _Optional[_Union[CompleteJobRequest, _Mapping]] = ..., claim: _Optional[_Union[ClaimRequest, _Mapping]] = ...) -> None: ...

class CompleteAndClaimResponse(_message.Message):
    __slots__ = ["completed", "jobs"]
    COMPLETED_FIELD_NUMBER: _ClassVar[int]
    JOBS_FIELD_NUMBER: _ClassVar[int]
    completed: Job
    jobs: _containers.RepeatedCompositeFieldContainer[ClaimedJob]
    def __init__(self, completed: _Optional[_Union[Job, _Mapping]] = ..., jobs: _Optional[_Iterable[_Union[ClaimedJob, _Mapping]]] = ...) -> None: ...

class CompleteJobRequest(_message.Message):
    __slots__ = ["job_id", "progress", "results", "summary", "token"]
    JOB_ID_FIELD_NUMBER: _ClassVar[int]
    PROGRESS_FIELD_NUMBER: _ClassVar[int]
    RESULTS_FIELD_NUMBER: _ClassVar[int]
    SUMMARY_FIELD_NUMBER: _ClassVar[int]
    TOKEN_FIELD_NUMBER: _ClassVar[int]
    job_id: str
    progress: JobProgress
    results: _containers.RepeatedCompositeFieldContainer[JobResult]
    summary: str
    token: str
    def __init__(self, job_id: _Optional[str] = ..., token: _Optional[str] = ..., summary: _Optional[str] = ..., results: _Optional[_Iterable[_Union[JobResult, _Mapping]]] = ..., progress: _Optional[_Union[JobProgress, _Mapping]] = ...) -> None: ...

class Event(_message.Message):
    __slots__ = ["job", "session"]
    JOB_FIELD_NUMBER: _ClassVar[int]
    SESSION_FIELD_NUMBER: _ClassVar[int]
    job: JobEvent
    session: _session_pb2.SessionEvent
    def __init__(self, job: _Optional[_Union[JobEvent, _Mapping]] = ..., session: _Optional[_Union[_session_pb2.SessionEvent, _Mapping]] = ...) -> None: ...

class FailJobRequest(_message.Message):
    __slots__ = ["error", "job_id", "progress", "results", "retryable", "token"]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    JOB_ID_FIELD_NUMBER: _ClassVar[int]
    PROGRESS_FIELD_NUMBER: _ClassVar[int]
    RESULTS_FIELD_NUMBER: _ClassVar[int]
    RETRYABLE_FIELD_NUMBER: _ClassVar[int]
    TOKEN_FIELD_NUMBER: _ClassVar[int]
    error: str
    job_id: str
    progress: JobProgress
    results: _containers.RepeatedCompositeFieldContainer[JobResult]
    retryable: bool
    token: str
    def __init__(self, job_id: _Optional[str] = ..., token: _Optional[str] = ..., error: _Optional[str] = ..., retryable: bool = ..., results: _Optional[_Iterable[_Union[JobResult, _Mapping]]] = ..., progress: _Optional[_Union[JobProgress, _Mapping]] = ...) -> None: ...

class GetJobLogsRequest(_message.Message):
    __slots__ = ["contains", "job_id", "lines", "min_level"]
    CONTAINS_FIELD_NUMBER: _ClassVar[int]
    JOB_ID_FIELD_NUMBER: _ClassVar[int]
    LINES_FIELD_NUMBER: _ClassVar[int]
    MIN_LEVEL_FIELD_NUMBER: _ClassVar[int]
    contains: str
    job_id: str
    lines: int
    min_level: LogLevel
    def __init__(self, job_id: _Optional[str] = ..., lines: _Optional[int] = ..., min_level: _Optional[_Union[LogLevel, str]] = ..., contains: _Optional[str] = ...) -> None: ...

class GetJobLogsResponse(_message.Message):
    __slots__ = ["dropped_log_lines", "entries"]
    DROPPED_LOG_LINES_FIELD_NUMBER: _ClassVar[int]
    ENTRIES_FIELD_NUMBER: _ClassVar[int]
    dropped_log_lines: int
    entries: _containers.RepeatedCompositeFieldContainer[LogEntry]
    def __init__(self, entries: _Optional[_Iterable[_Union[LogEntry, _Mapping]]] = ..., dropped_log_lines: _Optional[int] = ...) -> None: ...

class GetJobRequest(_message.Message):
    __slots__ = ["include_content", "job_id"]
    INCLUDE_CONTENT_FIELD_NUMBER: _ClassVar[int]
    JOB_ID_FIELD_NUMBER: _ClassVar[int]
    include_content: bool
    job_id: str
    def __init__(self, job_id: _Optional[str] = ..., include_content: bool = ...) -> None: ...

class HeartbeatRequest(_message.Message):
    __slots__ = ["job_id", "metrics", "progress", "token"]
    class MetricsEntry(_message.Message):
        __slots__ = ["key", "value"]
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: float
        def __init__(self, key: _Optional[str] = ..., value: _Optional[float] = ...) -> None: ...
    JOB_ID_FIELD_NUMBER: _ClassVar[int]
    METRICS_FIELD_NUMBER: _ClassVar[int]
    PROGRESS_FIELD_NUMBER: _ClassVar[int]
    TOKEN_FIELD_NUMBER: _ClassVar[int]
    job_id: str
    metrics: _containers.ScalarMap[str, float]
    progress: JobProgress
    token: str
    def __init__(self, job_id: _Optional[str] = ..., token: _Optional[str] = ..., progress: _Optional[_Union[JobProgress, _Mapping]] = ..., metrics: _Optional[_Mapping[str, float]] = ...) -> None: ...

class HeartbeatResponse(_message.Message):
    __slots__ = ["cancel_requested", "lease_expires_at"]
    CANCEL_REQUESTED_FIELD_NUMBER: _ClassVar[int]
    LEASE_EXPIRES_AT_FIELD_NUMBER: _ClassVar[int]
    cancel_requested: bool
    lease_expires_at: _timestamp_pb2.Timestamp
    def __init__(self, cancel_requested: bool = ..., lease_expires_at: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class Job(_message.Message):
    __slots__ = ["after", "after_any", "attempt", "batch", "cancel_requested", "checkpoint", "completed_at", "config_json", "created_at", "created_seq", "deduplicated", "dropped_log_lines", "error", "failed_attempts", "health", "heartbeat_at", "id", "lease", "limit_key", "log_lines", "max_concurrent", "max_retries", "method", "metrics", "name", "priority", "progress", "queue_ticket", "results", "results_path", "run_at", "session_id", "started_at", "status", "summary", "tags", "timeout_seconds", "unique_for_ms", "unique_key", "updated_at", "urls", "waiting_for", "webhook", "webhook_delivery", "workers"]
    class MetricsEntry(_message.Message):
        __slots__ = ["key", "value"]
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: float
        def __init__(self, key: _Optional[str] = ..., value: _Optional[float] = ...) -> None: ...
    AFTER_ANY_FIELD_NUMBER: _ClassVar[int]
    AFTER_FIELD_NUMBER: _ClassVar[int]
    ATTEMPT_FIELD_NUMBER: _ClassVar[int]
    BATCH_FIELD_NUMBER: _ClassVar[int]
    CANCEL_REQUESTED_FIELD_NUMBER: _ClassVar[int]
    CHECKPOINT_FIELD_NUMBER: _ClassVar[int]
    COMPLETED_AT_FIELD_NUMBER: _ClassVar[int]
    CONFIG_JSON_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    CREATED_SEQ_FIELD_NUMBER: _ClassVar[int]
    DEDUPLICATED_FIELD_NUMBER: _ClassVar[int]
    DROPPED_LOG_LINES_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    FAILED_ATTEMPTS_FIELD_NUMBER: _ClassVar[int]
    HEALTH_FIELD_NUMBER: _ClassVar[int]
    HEARTBEAT_AT_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    LEASE_FIELD_NUMBER: _ClassVar[int]
    LIMIT_KEY_FIELD_NUMBER: _ClassVar[int]
    LOG_LINES_FIELD_NUMBER: _ClassVar[int]
    MAX_CONCURRENT_FIELD_NUMBER: _ClassVar[int]
    MAX_RETRIES_FIELD_NUMBER: _ClassVar[int]
    METHOD_FIELD_NUMBER: _ClassVar[int]
    METRICS_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    PRIORITY_FIELD_NUMBER: _ClassVar[int]
    PROGRESS_FIELD_NUMBER: _ClassVar[int]
    QUEUE_TICKET_FIELD_NUMBER: _ClassVar[int]
    RESULTS_FIELD_NUMBER: _ClassVar[int]
    RESULTS_PATH_FIELD_NUMBER: _ClassVar[int]
    RUN_AT_FIELD_NUMBER: _ClassVar[int]
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    STARTED_AT_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    SUMMARY_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    TIMEOUT_SECONDS_FIELD_NUMBER: _ClassVar[int]
    UNIQUE_FOR_MS_FIELD_NUMBER: _ClassVar[int]
    UNIQUE_KEY_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    URLS_FIELD_NUMBER: _ClassVar[int]
    WAITING_FOR_FIELD_NUMBER: _ClassVar[int]
    WEBHOOK_DELIVERY_FIELD_NUMBER: _ClassVar[int]
    WEBHOOK_FIELD_NUMBER: _ClassVar[int]
    WORKERS_FIELD_NUMBER: _ClassVar[int]
    after: _containers.RepeatedScalarFieldContainer[str]
    after_any: bool
    attempt: int
    batch: bool
    cancel_requested: bool
    checkpoint: JobCheckpoint
    completed_at: _timestamp_pb2.Timestamp
    config_json: str
    created_at: _timestamp_pb2.Timestamp
    created_seq: int
    deduplicated: bool
    dropped_log_lines: int
    error: str
    failed_attempts: _containers.RepeatedCompositeFieldContainer[JobAttempt]
    health: JobHealth
    heartbeat_at: _timestamp_pb2.Timestamp
    id: str
    lease: JobLease
    limit_key: str
    log_lines: int
    max_concurrent: int
    max_retries: int
    method: str
    metrics: _containers.ScalarMap[str, float]
    name: str
    priority: JobPriority
    progress: JobProgress
    queue_ticket: int
    results: _containers.RepeatedCompositeFieldContainer[JobResult]
    results_path: str
    run_at: _timestamp_pb2.Timestamp
    session_id: str
    started_at: _timestamp_pb2.Timestamp
    status: JobStatus
    summary: str
    tags: _containers.RepeatedScalarFieldContainer[str]
    timeout_seconds: int
    unique_for_ms: int
    unique_key: str
    updated_at: _timestamp_pb2.Timestamp
    urls: _containers.RepeatedScalarFieldContainer[str]
    waiting_for: _containers.RepeatedScalarFieldContainer[str]
    webhook: str
    webhook_delivery: WebhookDelivery
    workers: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, id: _Optional[str] = ..., name: _Optional[str] = ..., status: _Optional[_Union[JobStatus, str]] = ..., priority: _Optional[_Union[JobPriority, str]] = ..., urls: _Optional[_Iterable[str]] = ..., method: _Optional[str] = ..., created_at: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., updated_at: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., started_at: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., completed_at: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., progress: _Optional[_Union[JobProgress, _Mapping]] = ..., tags: _Optional[_Iterable[str]] = ..., error: _Optional[str] = ..., results_path: _Optional[str] = ..., config_json: _Optional[str] = ..., session_id: _Optional[str] = ..., batch: bool = ..., max_concurrent: _Optional[int] = ..., run_at: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., attempt: _Optional[int] = ..., max_retries: _Optional[int] = ..., timeout_seconds: _Optional[int] = ..., lease: _Optional[_Union[JobLease, _Mapping]] = ..., checkpoint: _Optional[_Union[JobCheckpoint, _Mapping]] = ..., metrics: _Optional[_Mapping[str, float]] = ..., heartbeat_at: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., summary: _Optional[str] = ..., cancel_requested: bool = ..., results: _Optional[_Iterable[_Union[JobResult, _Mapping]]] = ..., log_lines: _Optional[int] = ..., dropped_log_lines: _Optional[int] = ..., workers: _Optional[_Iterable[str]] = ..., queue_ticket: _Optional[int] = ..., created_seq: _Optional[int] = ..., unique_key: _Optional[str] = ..., unique_for_ms: _Optional[int] = ..., deduplicated: bool = ..., failed_attempts: _Optional[_Iterable[_Union[JobAttempt, _Mapping]]] = ..., after: _Optional[_Iterable[str]] = ..., after_any: bool = ..., waiting_for: _Optional[_Iterable[str]] = ..., limit_key: _Optional[str] = ..., health: _Optional[_Union[JobHealth, _Mapping]] = ..., webhook: _Optional[str] = ..., webhook_delivery: _Optional[_Union[WebhookDelivery, _Mapping]] = ...) -> None: ...

class JobAttempt(_message.Message):
    __slots__ = ["attempt", "ended_at", "error", "started_at", "worker_id"]
    ATTEMPT_FIELD_NUMBER: _ClassVar[int]
    ENDED_AT_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    STARTED_AT_FIELD_NUMBER: _ClassVar[int]
    WORKER_ID_FIELD_NUMBER: _ClassVar[int]
    attempt: int
    ended_at: _timestamp_pb2.Timestamp
    error: str
    started_at: _timestamp_pb2.Timestamp
    worker_id: str
    def __init__(self, attempt: _Optional[int] = ..., worker_id: _Optional[str] = ..., started_at: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., ended_at: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., error: _Optional[str] = ...) -> None: ...

class JobCheckpoint(_message.Message):
    __slots__ = ["data", "saved_at"]
    DATA_FIELD_NUMBER: _ClassVar[int]
    SAVED_AT_FIELD_NUMBER: _ClassVar[int]
    data: bytes
    saved_at: _timestamp_pb2.Timestamp
    def __init__(self, data: _Optional[bytes] = ..., saved_at: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class JobEvent(_message.Message):
    __slots__ = ["job", "kind", "logs"]
    class Kind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = []
    JOB_FIELD_NUMBER: _ClassVar[int]
    KIND_CANCELLED: JobEvent.Kind
    KIND_COMPLETED: JobEvent.Kind
    KIND_CREATED: JobEvent.Kind
    KIND_CURRENT: JobEvent.Kind
    KIND_DEAD: JobEvent.Kind
    KIND_FAILED: JobEvent.Kind
    KIND_FIELD_NUMBER: _ClassVar[int]
    KIND_LOG: JobEvent.Kind
    KIND_PROGRESS: JobEvent.Kind
    KIND_REMOVED: JobEvent.Kind
    KIND_STARTED: JobEvent.Kind
    KIND_UNSPECIFIED: JobEvent.Kind
    KIND_UPDATED: JobEvent.Kind
    LOGS_FIELD_NUMBER: _ClassVar[int]
    job: Job
    kind: JobEvent.Kind
    logs: _containers.RepeatedCompositeFieldContainer[LogEntry]
    def __init__(self, kind: _Optional[_Union[JobEvent.Kind, str]] = ..., job: _Optional[_Union[Job, _Mapping]] = ..., logs: _Optional[_Iterable[_Union[LogEntry, _Mapping]]] = ...) -> None: ...

class JobHealth(_message.Message):
    __slots__ = ["error_rate", "healthy", "heartbeat_age_ms", "lease_remaining_ms", "score", "urls_per_minute"]
    ERROR_RATE_FIELD_NUMBER: _ClassVar[int]
    HEALTHY_FIELD_NUMBER: _ClassVar[int]
    HEARTBEAT_AGE_MS_FIELD_NUMBER: _ClassVar[int]
    LEASE_REMAINING_MS_FIELD_NUMBER: _ClassVar[int]
    SCORE_FIELD_NUMBER: _ClassVar[int]
    URLS_PER_MINUTE_FIELD_NUMBER: _ClassVar[int]
    error_rate: float
    healthy: bool
    heartbeat_age_ms: int
    lease_remaining_ms: int
    score: float
    urls_per_minute: float
    def __init__(self, heartbeat_age_ms: _Optional[int] = ..., lease_remaining_ms: _Optional[int] = ..., urls_per_minute: _Optional[float] = ..., error_rate: _Optional[float] = ..., score: _Optional[float] = ..., healthy: bool = ...) -> None: ...

class JobLease(_message.Message):
    __slots__ = ["expires_at", "lease_ms", "token", "worker_id"]
    EXPIRES_AT_FIELD_NUMBER: _ClassVar[int]
    LEASE_MS_FIELD_NUMBER: _ClassVar[int]
    TOKEN_FIELD_NUMBER: _ClassVar[int]
    WORKER_ID_FIELD_NUMBER: _ClassVar[int]
    expires_at: _timestamp_pb2.Timestamp
    lease_ms: int
    token: str
    worker_id: str
    def __init__(self, worker_id: _Optional[str] = ..., token: _Optional[str] = ..., expires_at: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., lease_ms: _Optional[int] = ...) -> None: ...

class JobProgress(_message.Message):
    __slots__ = ["completed", "current_url", "failed", "percentage", "total"]
    COMPLETED_FIELD_NUMBER: _ClassVar[int]
    CURRENT_URL_FIELD_NUMBER: _ClassVar[int]
    FAILED_FIELD_NUMBER: _ClassVar[int]
    PERCENTAGE_FIELD_NUMBER: _ClassVar[int]
    TOTAL_FIELD_NUMBER: _ClassVar[int]
    completed: int
    current_url: str
    failed: int
    percentage: float
    total: int
    def __init__(self, total: _Optional[int] = ..., completed: _Optional[int] = ..., failed: _Optional[int] = ..., percentage: _Optional[float] = ..., current_url: _Optional[str] = ...) -> None: ...

class JobResult(_message.Message):
    __slots__ = ["artifact_id", "content", "content_type", "duration_ms", "error", "ok", "size", "url"]
    ARTIFACT_ID_FIELD_NUMBER: _ClassVar[int]
    CONTENT_FIELD_NUMBER: _ClassVar[int]
    CONTENT_TYPE_FIELD_NUMBER: _ClassVar[int]
    DURATION_MS_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    OK_FIELD_NUMBER: _ClassVar[int]
    SIZE_FIELD_NUMBER: _ClassVar[int]
    URL_FIELD_NUMBER: _ClassVar[int]
    artifact_id: str
    content: bytes
    content_type: str
    duration_ms: int
    error: str
    ok: bool
    size: int
    url: str
    def __init__(self, url: _Optional[str] = ..., ok: bool = ..., content: _Optional[bytes] = ..., content_type: _Optional[str] = ..., error: _Optional[str] = ..., duration_ms: _Optional[int] = ..., size: _Optional[int] = ..., artifact_id: _Optional[str] = ...) -> None: ...

class JobStatsGroup(_message.Message):
    __slots__ = ["cancelled", "completed", "dead", "failed", "jobs", "jobs_per_minute", "key", "p50_duration_ms", "p95_duration_ms", "paused", "pending", "running", "scheduled", "success_rate", "urls", "waiting"]
    CANCELLED_FIELD_NUMBER: _ClassVar[int]
    COMPLETED_FIELD_NUMBER: _ClassVar[int]
    DEAD_FIELD_NUMBER: _ClassVar[int]
    FAILED_FIELD_NUMBER: _ClassVar[int]
    JOBS_FIELD_NUMBER: _ClassVar[int]
    JOBS_PER_MINUTE_FIELD_NUMBER: _ClassVar[int]
    KEY_FIELD_NUMBER: _ClassVar[int]
    P50_DURATION_MS_FIELD_NUMBER: _ClassVar[int]
    P95_DURATION_MS_FIELD_NUMBER: _ClassVar[int]
    PAUSED_FIELD_NUMBER: _ClassVar[int]
    PENDING_FIELD_NUMBER: _ClassVar[int]
    RUNNING_FIELD_NUMBER: _ClassVar[int]
    SCHEDULED_FIELD_NUMBER: _ClassVar[int]
    SUCCESS_RATE_FIELD_NUMBER: _ClassVar[int]
    URLS_FIELD_NUMBER: _ClassVar[int]
    WAITING_FIELD_NUMBER: _ClassVar[int]
    cancelled: int
    completed: int
    dead: int
    failed: int
    jobs: int
    jobs_per_minute: float
    key: str
    p50_duration_ms: int
    p95_duration_ms: int
    paused: int
    pending: int
    running: int
    scheduled: int
    success_rate: float
    urls: int
    waiting: int
    def __init__(self, key: _Optional[str] = ..., jobs: _Optional[int] = ..., pending: _Optional[int] = ..., scheduled: _Optional[int] = ..., running: _Optional[int] = ..., paused: _Optional[int] = ..., completed: _Optional[int] = ..., failed: _Optional[int] = ..., cancelled: _Optional[int] = ..., success_rate: _Optional[float] = ..., p50_duration_ms: _Optional[int] = ..., p95_duration_ms: _Optional[int] = ..., jobs_per_minute: _Optional[float] = ..., urls: _Optional[int] = ..., dead: _Optional[int] = ..., waiting: _Optional[int] = ...) -> None: ...

class JobStatsRequest(_message.Message):
    __slots__ = ["group_by", "range_ms"]
    GROUP_BY_FIELD_NUMBER: _ClassVar[int]
    RANGE_MS_FIELD_NUMBER: _ClassVar[int]
    group_by: str
    range_ms: int
    def __init__(self, range_ms: _Optional[int] = ..., group_by: _Optional[str] = ...) -> None: ...

class JobStatsResponse(_message.Message):
    __slots__ = ["groups", "total"]
    GROUPS_FIELD_NUMBER: _ClassVar[int]
    TOTAL_FIELD_NUMBER: _ClassVar[int]
    groups: _containers.RepeatedCompositeFieldContainer[JobStatsGroup]
    total: JobStatsGroup
    def __init__(self, total: _Optional[_Union[JobStatsGroup, _Mapping]] = ..., groups: _Optional[_Iterable[_Union[JobStatsGroup, _Mapping]]] = ...) -> None: ...

class Limit(_message.Message):
    __slots__ = ["burst", "concurrency", "key", "rate_count", "rate_period_ms"]
    BURST_FIELD_NUMBER: _ClassVar[int]
    CONCURRENCY_FIELD_NUMBER: _ClassVar[int]
    KEY_FIELD_NUMBER: _ClassVar[int]
    RATE_COUNT_FIELD_NUMBER: _ClassVar[int]
    RATE_PERIOD_MS_FIELD_NUMBER: _ClassVar[int]
    burst: int
    concurrency: int
    key: str
    rate_count: int
    rate_period_ms: int
    def __init__(self, key: _Optional[str] = ..., rate_count: _Optional[int] = ..., rate_period_ms: _Optional[int] = ..., burst: _Optional[int] = ..., concurrency: _Optional[int] = ...) -> None: ...

class ListJobsRequest(_message.Message):
    __slots__ = ["cursor", "limit", "method", "priority", "recent_ms", "status", "tags", "unhealthy"]
    CURSOR_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    METHOD_FIELD_NUMBER: _ClassVar[int]
    PRIORITY_FIELD_NUMBER: _ClassVar[int]
    RECENT_MS_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    UNHEALTHY_FIELD_NUMBER: _ClassVar[int]
    cursor: str
    limit: int
    method: str
    priority: _containers.RepeatedScalarFieldContainer[JobPriority]
    recent_ms: int
    status: _containers.RepeatedScalarFieldContainer[JobStatus]
    tags: _containers.RepeatedScalarFieldContainer[str]
    unhealthy: bool
    def __init__(self, status: _Optional[_Iterable[_Union[JobStatus, str]]] = ..., priority: _Optional[_Iterable[_Union[JobPriority, str]]] = ..., tags: _Optional[_Iterable[str]] = ..., method: _Optional[str] = ..., recent_ms: _Optional[int] = ..., limit: _Optional[int] = ..., cursor: _Optional[str] = ..., unhealthy: bool = ...) -> None: ...

class ListJobsResponse(_message.Message):
    __slots__ = ["jobs", "next_cursor"]
    JOBS_FIELD_NUMBER: _ClassVar[int]
    NEXT_CURSOR_FIELD_NUMBER: _ClassVar[int]
    jobs: _containers.RepeatedCompositeFieldContainer[Job]
    next_cursor: str
    def __init__(self, jobs: _Optional[_Iterable[_Union[Job, _Mapping]]] = ..., next_cursor: _Optional[str] = ...) -> None: ...

class ListLimitsRequest(_message.Message):
    __slots__ = []
    def __init__(self) -> None: ...

class ListLimitsResponse(_message.Message):
    __slots__ = ["limits", "running"]
    class RunningEntry(_message.Message):
        __slots__ = ["key", "value"]
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: int
        def __init__(self, key: _Optional[str] = ..., value: _Optional[int] = ...) -> None: ...
    LIMITS_FIELD_NUMBER: _ClassVar[int]
    RUNNING_FIELD_NUMBER: _ClassVar[int]
    limits: _containers.RepeatedCompositeFieldContainer[Limit]
    running: _containers.ScalarMap[str, int]
    def __init__(self, limits: _Optional[_Iterable[_Union[Limit, _Mapping]]] = ..., running: _Optional[_Mapping[str, int]] = ...) -> None: ...

class ListSchedulesRequest(_message.Message):
    __slots__ = []
    def __init__(self) -> None: ...

class ListSchedulesResponse(_message.Message):
    __slots__ = ["schedules"]
    SCHEDULES_FIELD_NUMBER: _ClassVar[int]
    schedules: _containers.RepeatedCompositeFieldContainer[Schedule]
    def __init__(self, schedules: _Optional[_Iterable[_Union[Schedule, _Mapping]]] = ...) -> None: ...

class LogEntry(_message.Message):
    __slots__ = ["attempt", "level", "message", "seq", "time", "url"]
    ATTEMPT_FIELD_NUMBER: _ClassVar[int]
    LEVEL_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    SEQ_FIELD_NUMBER: _ClassVar[int]
    TIME_FIELD_NUMBER: _ClassVar[int]
    URL_FIELD_NUMBER: _ClassVar[int]
    attempt: int
    level: LogLevel
    message: str
    seq: int
    time: _timestamp_pb2.Timestamp
    url: str
    def __init__(self, seq: _Optional[int] = ..., time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., level: _Optional[_Union[LogLevel, str]] = ..., message: _Optional[str] = ..., url: _Optional[str] = ..., attempt: _Optional[int] = ...) -> None: ...

class PauseJobRequest(_message.Message):
    __slots__ = ["job_id"]
    JOB_ID_FIELD_NUMBER: _ClassVar[int]
    job_id: str
    def __init__(self, job_id: _Optional[str] = ...) -> None: ...

class ReleaseJobRequest(_message.Message):
    __slots__ = ["job_id", "token"]
    JOB_ID_FIELD_NUMBER: _ClassVar[int]
    TOKEN_FIELD_NUMBER: _ClassVar[int]
    job_id: str
    token: str
    def __init__(self, job_id: _Optional[str] = ..., token: _Optional[str] = ...) -> None: ...

class RemoveLimitRequest(_message.Message):
    __slots__ = ["key"]
    KEY_FIELD_NUMBER: _ClassVar[int]
    key: str
    def __init__(self, key: _Optional[str] = ...) -> None: ...

class ResumeJobRequest(_message.Message):
    __slots__ = ["job_id"]
    JOB_ID_FIELD_NUMBER: _ClassVar[int]
    job_id: str
    def __init__(self, job_id: _Optional[str] = ...) -> None: ...

class RetryJobRequest(_message.Message):
    __slots__ = ["job_id", "max_retries"]
    JOB_ID_FIELD_NUMBER: _ClassVar[int]
    MAX_RETRIES_FIELD_NUMBER: _ClassVar[int]
    job_id: str
    max_retries: _wrappers_pb2.UInt32Value
    def __init__(self, job_id: _Optional[str] = ..., max_retries: _Optional[_Union[_wrappers_pb2.UInt32Value, _Mapping]] = ...) -> None: ...

class SaveCheckpointRequest(_message.Message):
    __slots__ = ["data", "job_id", "token"]
    DATA_FIELD_NUMBER: _ClassVar[int]
    JOB_ID_FIELD_NUMBER: _ClassVar[int]
    TOKEN_FIELD_NUMBER: _ClassVar[int]
    data: bytes
    job_id: str
    token: str
    def __init__(self, job_id: _Optional[str] = ..., token: _Optional[str] = ..., data: _Optional[bytes] = ...) -> None: ...

class Schedule(_message.Message):
    __slots__ = ["catch_up", "created_at", "cron", "fired", "job", "last_fired_at", "last_job_id", "last_skip_reason", "name", "next_fire_at", "overlap", "paused", "skipped", "timezone"]
    class CatchUp(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = []
    class Overlap(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = []
    CATCH_UP_FIELD_NUMBER: _ClassVar[int]
    CATCH_UP_NONE: Schedule.CatchUp
    CATCH_UP_ONE: Schedule.CatchUp
    CATCH_UP_UNSPECIFIED: Schedule.CatchUp
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    CRON_FIELD_NUMBER: _ClassVar[int]
    FIRED_FIELD_NUMBER: _ClassVar[int]
    JOB_FIELD_NUMBER: _ClassVar[int]
    LAST_FIRED_AT_FIELD_NUMBER: _ClassVar[int]
    LAST_JOB_ID_FIELD_NUMBER: _ClassVar[int]
    LAST_SKIP_REASON_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    NEXT_FIRE_AT_FIELD_NUMBER: _ClassVar[int]
    OVERLAP_ALLOW: Schedule.Overlap
    OVERLAP_FIELD_NUMBER: _ClassVar[int]
    OVERLAP_SKIP: Schedule.Overlap
    OVERLAP_UNSPECIFIED: Schedule.Overlap
    PAUSED_FIELD_NUMBER: _ClassVar[int]
    SKIPPED_FIELD_NUMBER: _ClassVar[int]
    TIMEZONE_FIELD_NUMBER: _ClassVar[int]
    catch_up: Schedule.CatchUp
    created_at: _timestamp_pb2.Timestamp
    cron: str
    fired: int
    job: SubmitJobRequest
    last_fired_at: _timestamp_pb2.Timestamp
    last_job_id: str
    last_skip_reason: str
    name: str
    next_fire_at: _timestamp_pb2.Timestamp
    overlap: Schedule.Overlap
    paused: bool
    skipped: int
    timezone: str
    def __init__(self, name: _Optional[str] = ..., cron: _Optional[str] = ..., timezone: _Optional[str] = ..., job: _Optional[_Union[SubmitJobRequest, _Mapping]] = ..., catch_up: _Optional[_Union[Schedule.CatchUp, str]] = ..., overlap: _Optional[_Union[Schedule.Overlap, str]] = ..., paused: bool = ..., next_fire_at: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., last_fired_at: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., last_job_id: _Optional[str] = ..., created_at: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., fired: _Optional[int] = ..., skipped: _Optional[int] = ..., last_skip_reason: _Optional[str] = ...) -> None: ...

class ScheduleName(_message.Message):
    __slots__ = ["name"]
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class SubmitJobRequest(_message.Message):
    __slots__ = ["after", "after_any", "batch", "config_json", "delay_ms", "max_concurrent", "max_retries", "method", "name", "priority", "rate_key", "results_path", "run_at", "session", "tags", "timeout_seconds", "unique_for_ms", "unique_key", "urls", "webhook"]
    AFTER_ANY_FIELD_NUMBER: _ClassVar[int]
    AFTER_FIELD_NUMBER: _ClassVar[int]
    BATCH_FIELD_NUMBER: _ClassVar[int]
    CONFIG_JSON_FIELD_NUMBER: _ClassVar[int]
    DELAY_MS_FIELD_NUMBER: _ClassVar[int]
    MAX_CONCURRENT_FIELD_NUMBER: _ClassVar[int]
    MAX_RETRIES_FIELD_NUMBER: _ClassVar[int]
    METHOD_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    PRIORITY_FIELD_NUMBER: _ClassVar[int]
    RATE_KEY_FIELD_NUMBER: _ClassVar[int]
    RESULTS_PATH_FIELD_NUMBER: _ClassVar[int]
    RUN_AT_FIELD_NUMBER: _ClassVar[int]
    SESSION_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    TIMEOUT_SECONDS_FIELD_NUMBER: _ClassVar[int]
    UNIQUE_FOR_MS_FIELD_NUMBER: _ClassVar[int]
    UNIQUE_KEY_FIELD_NUMBER: _ClassVar[int]
    URLS_FIELD_NUMBER: _ClassVar[int]
    WEBHOOK_FIELD_NUMBER: _ClassVar[int]
    after: _containers.RepeatedScalarFieldContainer[str]
    after_any: bool
    batch: bool
    config_json: str
    delay_ms: int
    max_concurrent: int
    max_retries: _wrappers_pb2.UInt32Value
    method: str
    name: str
    priority: JobPriority
    rate_key: str
    results_path: str
    run_at: _timestamp_pb2.Timestamp
    session: str
    tags: _containers.RepeatedScalarFieldContainer[str]
    timeout_seconds: int
    unique_for_ms: int
    unique_key: str
    urls: _containers.RepeatedScalarFieldContainer[str]
    webhook: str
    def __init__(self, urls: _Optional[_Iterable[str]] = ..., method: _Optional[str] = ..., name: _Optional[str] = ..., priority: _Optional[_Union[JobPriority, str]] = ..., batch: bool = ..., max_concurrent: _Optional[int] = ..., tags: _Optional[_Iterable[str]] = ..., config_json: _Optional[str] = ..., results_path: _Optional[str] = ..., session: _Optional[str] = ..., run_at: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., delay_ms: _Optional[int] = ..., max_retries: _Optional[_Union[_wrappers_pb2.UInt32Value, _Mapping]] = ..., timeout_seconds: _Optional[int] = ..., unique_key: _Optional[str] = ..., unique_for_ms: _Optional[int] = ..., after: _Optional[_Iterable[str]] = ..., after_any: bool = ..., rate_key: _Optional[str] = ..., webhook: _Optional[str] = ...) -> None: ...

class WatchEventsRequest(_message.Message):
    __slots__ = ["jobs", "logs", "sessions"]
    JOBS_FIELD_NUMBER: _ClassVar[int]
    LOGS_FIELD_NUMBER: _ClassVar[int]
    SESSIONS_FIELD_NUMBER: _ClassVar[int]
    jobs: bool
    logs: bool
    sessions: bool
    def __init__(self, jobs: bool = ..., sessions: bool = ..., logs: bool = ...) -> None: ...

class WatchJobRequest(_message.Message):
    __slots__ = ["job_id", "logs_from_seq"]
    JOB_ID_FIELD_NUMBER: _ClassVar[int]
    LOGS_FROM_SEQ_FIELD_NUMBER: _ClassVar[int]
    job_id: str
    logs_from_seq: int
    def __init__(self, job_id: _Optional[str] = ..., logs_from_seq: _Optional[int] = ...) -> None: ...

class WebhookDelivery(_message.Message):
    __slots__ = ["attempts", "ended_at", "finish", "last_error", "last_status", "next_attempt_at", "state"]
    class State(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = []
    ATTEMPTS_FIELD_NUMBER: _ClassVar[int]
    ENDED_AT_FIELD_NUMBER: _ClassVar[int]
    FINISH_FIELD_NUMBER: _ClassVar[int]
    LAST_ERROR_FIELD_NUMBER: _ClassVar[int]
    LAST_STATUS_FIELD_NUMBER: _ClassVar[int]
    NEXT_ATTEMPT_AT_FIELD_NUMBER: _ClassVar[int]
    STATE_DELIVERED: WebhookDelivery.State
    STATE_FAILED: WebhookDelivery.State
    STATE_FIELD_NUMBER: _ClassVar[int]
    STATE_PENDING: WebhookDelivery.State
    STATE_UNSPECIFIED: WebhookDelivery.State
    attempts: int
    ended_at: _timestamp_pb2.Timestamp
    finish: int
    last_error: str
    last_status: int
    next_attempt_at: _timestamp_pb2.Timestamp
    state: WebhookDelivery.State
    def __init__(self, state: _Optional[_Union[WebhookDelivery.State, str]] = ..., attempts: _Optional[int] = ..., next_attempt_at: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., ended_at: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., last_status: _Optional[int] = ..., last_error: _Optional[str] = ..., finish: _Optional[int] = ...) -> None: ...

class WorkerCheckpoint(_message.Message):
    __slots__ = ["done"]
    DONE_FIELD_NUMBER: _ClassVar[int]
    done: _containers.RepeatedCompositeFieldContainer[JobResult]
    def __init__(self, done: _Optional[_Iterable[_Union[JobResult, _Mapping]]] = ...) -> None: ...

class JobStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []

class JobPriority(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []

class LogLevel(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []
