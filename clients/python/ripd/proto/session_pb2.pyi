from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf import wrappers_pb2 as _wrappers_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Iterable as _Iterable, Mapping as _Mapping, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor
SESSION_STATE_ACTIVE: SessionState
SESSION_STATE_COMPLETED: SessionState
SESSION_STATE_FAILED: SessionState
SESSION_STATE_SUSPENDED: SessionState
SESSION_STATE_UNSPECIFIED: SessionState

class AddHeadersRequest(_message.Message):
    __slots__ = ["headers", "session"]
    class HeadersEntry(_message.Message):
        __slots__ = ["key", "value"]
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    HEADERS_FIELD_NUMBER: _ClassVar[int]
    SESSION_FIELD_NUMBER: _ClassVar[int]
    headers: _containers.ScalarMap[str, str]
    session: str
    def __init__(self, session: _Optional[str] = ..., headers: _Optional[_Mapping[str, str]] = ...) -> None: ...

class ChangeSessionStateRequest(_message.Message):
    __slots__ = ["reason", "session", "state"]
    REASON_FIELD_NUMBER: _ClassVar[int]
    SESSION_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    reason: str
    session: str
    state: SessionState
    def __init__(self, session: _Optional[str] = ..., state: _Optional[_Union[SessionState, str]] = ..., reason: _Optional[str] = ...) -> None: ...

class CleanupSessionsRequest(_message.Message):
    __slots__ = []
    def __init__(self) -> None: ...

class CleanupSessionsResponse(_message.Message):
    __slots__ = ["removed"]
    REMOVED_FIELD_NUMBER: _ClassVar[int]
    removed: _containers.RepeatedCompositeFieldContainer[Session]
    def __init__(self, removed: _Optional[_Iterable[_Union[Session, _Mapping]]] = ...) -> None: ...

class ClearSessionRequest(_message.Message):
    __slots__ = ["cookies", "headers", "session"]
    COOKIES_FIELD_NUMBER: _ClassVar[int]
    HEADERS_FIELD_NUMBER: _ClassVar[int]
    SESSION_FIELD_NUMBER: _ClassVar[int]
    cookies: bool
    headers: bool
    session: str
    def __init__(self, session: _Optional[str] = ..., headers: bool = ..., cookies: bool = ...) -> None: ...

class CloneSessionRequest(_message.Message):
    __slots__ = ["cookies", "headers", "to"]
    COOKIES_FIELD_NUMBER: _ClassVar[int]
    FROM_FIELD_NUMBER: _ClassVar[int]
    HEADERS_FIELD_NUMBER: _ClassVar[int]
    TO_FIELD_NUMBER: _ClassVar[int]
    cookies: bool
    headers: bool
    to: str
    def __init__(self, to: _Optional[str] = ..., cookies: bool = ..., headers: bool = ..., **kwargs) -> None: ...

class CreateSessionRequest(_message.Message):
    __slots__ = ["description", "headers", "name", "parent", "tags", "timeout_minutes", "user_agent"]
    class HeadersEntry(_message.Message):
        __slots__ = ["key", "value"]
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    HEADERS_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    PARENT_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    TIMEOUT_MINUTES_FIELD_NUMBER: _ClassVar[int]
    USER_AGENT_FIELD_NUMBER: _ClassVar[int]
    description: str
    headers: _containers.ScalarMap[str, str]
    name: str
    parent: str
    tags: _containers.RepeatedScalarFieldContainer[str]
    timeout_minutes: int
    user_agent: str
    def __init__(self, name: _Optional[str] = ..., description: _Optional[str] = ..., tags: _Optional[_Iterable[str]] = ..., headers: _Optional[_Mapping[str, str]] = ..., user_agent: _Optional[str] = ..., timeout_minutes: _Optional[int] = ..., parent: _Optional[str] = ...) -> None: ...

class DeleteSessionsRequest(_message.Message):
    __slots__ = ["sessions", "tag"]
    SESSIONS_FIELD_NUMBER: _ClassVar[int]
    TAG_FIELD_NUMBER: _ClassVar[int]
    sessions: _containers.RepeatedScalarFieldContainer[str]
    tag: str
    def __init__(self, sessions: _Optional[_Iterable[str]] = ..., tag: _Optional[str] = ...) -> None: ...

class DeleteSessionsResponse(_message.Message):
    __slots__ = ["deleted"]
    DELETED_FIELD_NUMBER: _ClassVar[int]
    deleted: _containers.RepeatedCompositeFieldContainer[Session]
    def __init__(self, deleted: _Optional[_Iterable[_Union[Session, _Mapping]]] = ...) -> None: ...

class ExtendSessionRequest(_message.Message):
    __slots__ = ["minutes", "session"]
    MINUTES_FIELD_NUMBER: _ClassVar[int]
    SESSION_FIELD_NUMBER: _ClassVar[int]
    minutes: int
    session: str
    def __init__(self, session: _Optional[str] = ..., minutes: _Optional[int] = ...) -> None: ...

class GetCurrentSessionRequest(_message.Message):
    __slots__ = []
    def __init__(self) -> None: ...

class GetSessionRequest(_message.Message):
    __slots__ = ["session"]
    SESSION_FIELD_NUMBER: _ClassVar[int]
    session: str
    def __init__(self, session: _Optional[str] = ...) -> None: ...

class ImportSessionRequest(_message.Message):
    __slots__ = ["overwrite", "session"]
    OVERWRITE_FIELD_NUMBER: _ClassVar[int]
    SESSION_FIELD_NUMBER: _ClassVar[int]
    overwrite: bool
    session: Session
    def __init__(self, session: _Optional[_Union[Session, _Mapping]] = ..., overwrite: bool = ...) -> None: ...

class ListSessionsRequest(_message.Message):
    __slots__ = ["active_only", "parent", "state", "tag"]
    ACTIVE_ONLY_FIELD_NUMBER: _ClassVar[int]
    PARENT_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    TAG_FIELD_NUMBER: _ClassVar[int]
    active_only: bool
    parent: str
    state: SessionState
    tag: str
    def __init__(self, tag: _Optional[str] = ..., active_only: bool = ..., state: _Optional[_Union[SessionState, str]] = ..., parent: _Optional[str] = ...) -> None: ...

class ListSessionsResponse(_message.Message):
    __slots__ = ["sessions"]
    SESSIONS_FIELD_NUMBER: _ClassVar[int]
    sessions: _containers.RepeatedCompositeFieldContainer[Session]
    def __init__(self, sessions: _Optional[_Iterable[_Union[Session, _Mapping]]] = ...) -> None: ...

class RecordRequestRequest(_message.Message):
    __slots__ = ["session", "success", "url"]
    SESSION_FIELD_NUMBER: _ClassVar[int]
    SUCCESS_FIELD_NUMBER: _ClassVar[int]
    URL_FIELD_NUMBER: _ClassVar[int]
    session: str
    success: bool
    url: str
    def __init__(self, session: _Optional[str] = ..., url: _Optional[str] = ..., success: bool = ...) -> None: ...

class RemoveHeadersRequest(_message.Message):
    __slots__ = ["names", "session"]
    NAMES_FIELD_NUMBER: _ClassVar[int]
    SESSION_FIELD_NUMBER: _ClassVar[int]
    names: _containers.RepeatedScalarFieldContainer[str]
    session: str
    def __init__(self, session: _Optional[str] = ..., names: _Optional[_Iterable[str]] = ...) -> None: ...

class Session(_message.Message):
    __slots__ = ["created_at", "description", "expires_at", "failure_reason", "headers", "id", "last_used_at", "metadata", "name", "parent_id", "state", "tags", "timeout_minutes", "updated_at", "user_agent"]
    class HeadersEntry(_message.Message):
        __slots__ = ["key", "value"]
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    EXPIRES_AT_FIELD_NUMBER: _ClassVar[int]
    FAILURE_REASON_FIELD_NUMBER: _ClassVar[int]
    HEADERS_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    LAST_USED_AT_FIELD_NUMBER: _ClassVar[int]
    METADATA_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    PARENT_ID_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    TIMEOUT_MINUTES_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    USER_AGENT_FIELD_NUMBER: _ClassVar[int]
    created_at: _timestamp_pb2.Timestamp
    description: str
    expires_at: _timestamp_pb2.Timestamp
    failure_reason: str
    headers: _containers.ScalarMap[str, str]
    id: str
    last_used_at: _timestamp_pb2.Timestamp
    metadata: SessionMetadata
    name: str
    parent_id: str
    state: SessionState
    tags: _containers.RepeatedScalarFieldContainer[str]
    timeout_minutes: int
    updated_at: _timestamp_pb2.Timestamp
    user_agent: str
    def __init__(self, id: _Optional[str] = ..., name: _Optional[str] = ..., description: _Optional[str] = ..., created_at: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., updated_at: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., last_used_at: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., expires_at: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., headers: _Optional[_Mapping[str, str]] = ..., tags: _Optional[_Iterable[str]] = ..., user_agent: _Optional[str] = ..., timeout_minutes: _Optional[int] = ..., metadata: _Optional[_Union[SessionMetadata, _Mapping]] = ..., state: _Optional[_Union[SessionState, str]] = ..., failure_reason: _Optional[str] = ..., parent_id: _Optional[str] = ...) -> None: ...

class SessionEvent(_message.Message):
    __slots__ = ["kind", "session"]
    class Kind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = []
    KIND_CREATED: SessionEvent.Kind
    KIND_DELETED: SessionEvent.Kind
    KIND_FIELD_NUMBER: _ClassVar[int]
    KIND_UNSPECIFIED: SessionEvent.Kind
    KIND_UPDATED: SessionEvent.Kind
    SESSION_FIELD_NUMBER: _ClassVar[int]
    kind: SessionEvent.Kind
    session: Session
    def __init__(self, kind: _Optional[_Union[SessionEvent.Kind, str]] = ..., session: _Optional[_Union[Session, _Mapping]] = ...) -> None: ...

class SessionMetadata(_message.Message):
    __slots__ = ["error_count", "last_request_url", "requests_count", "success_count"]
    ERROR_COUNT_FIELD_NUMBER: _ClassVar[int]
    LAST_REQUEST_URL_FIELD_NUMBER: _ClassVar[int]
    REQUESTS_COUNT_FIELD_NUMBER: _ClassVar[int]
    SUCCESS_COUNT_FIELD_NUMBER: _ClassVar[int]
    error_count: int
    last_request_url: str
    requests_count: int
    success_count: int
    def __init__(self, requests_count: _Optional[int] = ..., last_request_url: _Optional[str] = ..., success_count: _Optional[int] = ..., error_count: _Optional[int] = ...) -> None: ...

class SessionStatsRequest(_message.Message):
    __slots__ = ["session"]
    SESSION_FIELD_NUMBER: _ClassVar[int]
    session: str
    def __init__(self, session: _Optional[str] = ...) -> None: ...

class SessionStatsResponse(_message.Message):
    __slots__ = ["active", "completed", "error_count", "expired", "failed", "requests_count", "session", "sessions", "success_count", "success_rate", "suspended"]
    ACTIVE_FIELD_NUMBER: _ClassVar[int]
    COMPLETED_FIELD_NUMBER: _ClassVar[int]
    ERROR_COUNT_FIELD_NUMBER: _ClassVar[int]
    EXPIRED_FIELD_NUMBER: _ClassVar[int]
    FAILED_FIELD_NUMBER: _ClassVar[int]
    REQUESTS_COUNT_FIELD_NUMBER: _ClassVar[int]
    SESSIONS_FIELD_NUMBER: _ClassVar[int]
    SESSION_FIELD_NUMBER: _ClassVar[int]
    SUCCESS_COUNT_FIELD_NUMBER: _ClassVar[int]
    SUCCESS_RATE_FIELD_NUMBER: _ClassVar[int]
    SUSPENDED_FIELD_NUMBER: _ClassVar[int]
    active: int
    completed: int
    error_count: int
    expired: int
    failed: int
    requests_count: int
    session: Session
    sessions: int
    success_count: int
    success_rate: float
    suspended: int
    def __init__(self, sessions: _Optional[int] = ..., active: _Optional[int] = ..., suspended: _Optional[int] = ..., completed: _Optional[int] = ..., failed: _Optional[int] = ..., expired: _Optional[int] = ..., requests_count: _Optional[int] = ..., success_count: _Optional[int] = ..., error_count: _Optional[int] = ..., success_rate: _Optional[float] = ..., session: _Optional[_Union[Session, _Mapping]] = ...) -> None: ...

class UpdateSessionRequest(_message.Message):
    __slots__ = ["add_tags", "description", "remove_tags", "session", "timeout_minutes", "user_agent"]
    ADD_TAGS_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    REMOVE_TAGS_FIELD_NUMBER: _ClassVar[int]
    SESSION_FIELD_NUMBER: _ClassVar[int]
    TIMEOUT_MINUTES_FIELD_NUMBER: _ClassVar[int]
    USER_AGENT_FIELD_NUMBER: _ClassVar[int]
    add_tags: _containers.RepeatedScalarFieldContainer[str]
    description: _wrappers_pb2.StringValue
    remove_tags: _containers.RepeatedScalarFieldContainer[str]
    session: str
    timeout_minutes: _wrappers_pb2.UInt64Value
    user_agent: _wrappers_pb2.StringValue
    def __init__(self, session: _Optional[str] = ..., description: _Optional[_Union[_wrappers_pb2.StringValue, _Mapping]] = ..., add_tags: _Optional[_Iterable[str]] = ..., remove_tags: _Optional[_Iterable[str]] = ..., user_agent: _Optional[_Union[_wrappers_pb2.StringValue, _Mapping]] = ..., timeout_minutes: _Optional[_Union[_wrappers_pb2.UInt64Value, _Mapping]] = ...) -> None: ...

class UseSessionRequest(_message.Message):
    __slots__ = ["create", "session"]
    CREATE_FIELD_NUMBER: _ClassVar[int]
    SESSION_FIELD_NUMBER: _ClassVar[int]
    create: bool
    session: str
    def __init__(self, session: _Optional[str] = ..., create: bool = ...) -> None: ...

class WatchSessionsRequest(_message.Message):
    __slots__ = ["session"]
    SESSION_FIELD_NUMBER: _ClassVar[int]
    session: str
    def __init__(self, session: _Optional[str] = ...) -> None: ...

class SessionState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []
