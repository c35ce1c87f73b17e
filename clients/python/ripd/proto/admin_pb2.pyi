from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Mapping as _Mapping, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class GetDescriptorSetRequest(_message.Message):
    __slots__ = []
    def __init__(self) -> None: ...

class GetDescriptorSetResponse(_message.Message):
    __slots__ = ["file_descriptor_set"]
    FILE_DESCRIPTOR_SET_FIELD_NUMBER: _ClassVar[int]
    file_descriptor_set: bytes
    def __init__(self, file_descriptor_set: _Optional[bytes] = ...) -> None: ...

class HealthRequest(_message.Message):
    __slots__ = []
    def __init__(self) -> None: ...

class HealthResponse(_message.Message):
    __slots__ = ["status"]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    status: str
    def __init__(self, status: _Optional[str] = ...) -> None: ...

class InfoRequest(_message.Message):
    __slots__ = []
    def __init__(self) -> None: ...

class InfoResponse(_message.Message):
    __slots__ = ["claims_waiting", "connections_open", "connections_paused", "connections_total", "data_dir", "descriptor_socket", "jobs", "jobs_queued", "jobs_running", "max_frame_bytes", "pid", "requests_total", "sessions", "shared_store", "socket_path", "store", "streams_open", "uptime_seconds", "version"]
    CLAIMS_WAITING_FIELD_NUMBER: _ClassVar[int]
    CONNECTIONS_OPEN_FIELD_NUMBER: _ClassVar[int]
    CONNECTIONS_PAUSED_FIELD_NUMBER: _ClassVar[int]
    CONNECTIONS_TOTAL_FIELD_NUMBER: _ClassVar[int]
    DATA_DIR_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTOR_SOCKET_FIELD_NUMBER: _ClassVar[int]
    JOBS_FIELD_NUMBER: _ClassVar[int]
    JOBS_QUEUED_FIELD_NUMBER: _ClassVar[int]
    JOBS_RUNNING_FIELD_NUMBER: _ClassVar[int]
    MAX_FRAME_BYTES_FIELD_NUMBER: _ClassVar[int]
    PID_FIELD_NUMBER: _ClassVar[int]
    REQUESTS_TOTAL_FIELD_NUMBER: _ClassVar[int]
    SESSIONS_FIELD_NUMBER: _ClassVar[int]
    SHARED_STORE_FIELD_NUMBER: _ClassVar[int]
    SOCKET_PATH_FIELD_NUMBER: _ClassVar[int]
    STORE_FIELD_NUMBER: _ClassVar[int]
    STREAMS_OPEN_FIELD_NUMBER: _ClassVar[int]
    UPTIME_SECONDS_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    claims_waiting: int
    connections_open: int
    connections_paused: int
    connections_total: int
    data_dir: str
    descriptor_socket: str
    jobs: int
    jobs_queued: int
    jobs_running: int
    max_frame_bytes: int
    pid: int
    requests_total: int
    sessions: int
    shared_store: SharedStoreHealth
    socket_path: str
    store: str
    streams_open: int
    uptime_seconds: int
    version: str
    def __init__(self, version: _Optional[str] = ..., uptime_seconds: _Optional[int] = ..., socket_path: _Optional[str] = ..., data_dir: _Optional[str] = ..., pid: _Optional[int] = ..., connections_open: _Optional[int] = ..., connections_total: _Optional[int] = ..., requests_total: _Optional[int] = ..., sessions: _Optional[int] = ..., max_frame_bytes: _Optional[int] = ..., jobs: _Optional[int] = ..., jobs_queued: _Optional[int] = ..., jobs_running: _Optional[int] = ..., claims_waiting: _Optional[int] = ..., streams_open: _Optional[int] = ..., connections_paused: _Optional[int] = ..., store: _Optional[str] = ..., shared_store: _Optional[_Union[SharedStoreHealth, _Mapping]] = ..., descriptor_socket: _Optional[str] = ...) -> None: ...

class SharedStoreHealth(_message.Message):
    __slots__ = ["catch_ups", "changes_written", "holds_duties", "last_error", "last_turn_us", "log_head", "reachable", "schema_version", "snapshot_sequence", "write_turns"]
    CATCH_UPS_FIELD_NUMBER: _ClassVar[int]
    CHANGES_WRITTEN_FIELD_NUMBER: _ClassVar[int]
    HOLDS_DUTIES_FIELD_NUMBER: _ClassVar[int]
    LAST_ERROR_FIELD_NUMBER: _ClassVar[int]
    LAST_TURN_US_FIELD_NUMBER: _ClassVar[int]
    LOG_HEAD_FIELD_NUMBER: _ClassVar[int]
    REACHABLE_FIELD_NUMBER: _ClassVar[int]
    SCHEMA_VERSION_FIELD_NUMBER: _ClassVar[int]
    SNAPSHOT_SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    WRITE_TURNS_FIELD_NUMBER: _ClassVar[int]
    catch_ups: int
    changes_written: int
    holds_duties: bool
    last_error: str
    last_turn_us: int
    log_head: int
    reachable: bool
    schema_version: int
    snapshot_sequence: int
    write_turns: int
    def __init__(self, schema_version: _Optional[int] = ..., log_head: _Optional[int] = ..., reachable: bool = ..., last_error: _Optional[str] = ..., holds_duties: bool = ..., write_turns: _Optional[int] = ..., catch_ups: _Optional[int] = ..., changes_written: _Optional[int] = ..., last_turn_us: _Optional[int] = ..., snapshot_sequence: _Optional[int] = ...) -> None: ...

class SnapshotRequest(_message.Message):
    __slots__ = []
    def __init__(self) -> None: ...

class SnapshotResponse(_message.Message):
    __slots__ = ["bytes", "last_sequence", "path", "seconds"]
    BYTES_FIELD_NUMBER: _ClassVar[int]
    LAST_SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    PATH_FIELD_NUMBER: _ClassVar[int]
    SECONDS_FIELD_NUMBER: _ClassVar[int]
    bytes: int
    last_sequence: int
    path: str
    seconds: float
    def __init__(self, last_sequence: _Optional[int] = ..., path: _Optional[str] = ..., bytes: _Optional[int] = ..., seconds: _Optional[float] = ...) -> None: ...

class WalInfoRequest(_message.Message):
    __slots__ = []
    def __init__(self) -> None: ...

class WalInfoResponse(_message.Message):
    __slots__ = ["bytes", "bytes_since_snapshot", "fsync_policy", "last_fsync", "next_sequence", "records_since_snapshot", "segment_bytes_limit", "segments", "snapshot_after_bytes", "snapshot_sequence"]
    BYTES_FIELD_NUMBER: _ClassVar[int]
    BYTES_SINCE_SNAPSHOT_FIELD_NUMBER: _ClassVar[int]
    FSYNC_POLICY_FIELD_NUMBER: _ClassVar[int]
    LAST_FSYNC_FIELD_NUMBER: _ClassVar[int]
    NEXT_SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    RECORDS_SINCE_SNAPSHOT_FIELD_NUMBER: _ClassVar[int]
    SEGMENTS_FIELD_NUMBER: _ClassVar[int]
    SEGMENT_BYTES_LIMIT_FIELD_NUMBER: _ClassVar[int]
    SNAPSHOT_AFTER_BYTES_FIELD_NUMBER: _ClassVar[int]
    SNAPSHOT_SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    bytes: int
    bytes_since_snapshot: int
    fsync_policy: str
    last_fsync: _timestamp_pb2.Timestamp
    next_sequence: int
    records_since_snapshot: int
    segment_bytes_limit: int
    segments: int
    snapshot_after_bytes: int
    snapshot_sequence: int
    def __init__(self, fsync_policy: _Optional[str] = ..., segments: _Optional[int] = ..., bytes: _Optional[int] = ..., next_sequence: _Optional[int] = ..., snapshot_sequence: _Optional[int] = ..., records_since_snapshot: _Optional[int] = ..., bytes_since_snapshot: _Optional[int] = ..., last_fsync: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., segment_bytes_limit: _Optional[int] = ..., snapshot_after_bytes: _Optional[int] = ...) -> None: ...
