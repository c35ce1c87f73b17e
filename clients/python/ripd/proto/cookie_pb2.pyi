from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Iterable as _Iterable, Mapping as _Mapping, Optional as _Optional, Union as _Union

COOKIE_CONTEXT_CROSS_SITE: CookieContext
COOKIE_CONTEXT_CROSS_SITE_TOP_LEVEL_NAVIGATION: CookieContext
COOKIE_CONTEXT_SAME_SITE: CookieContext
DESCRIPTOR: _descriptor.FileDescriptor
SAME_SITE_LAX: SameSite
SAME_SITE_NONE: SameSite
SAME_SITE_STRICT: SameSite
SAME_SITE_UNSPECIFIED: SameSite

class ClearCookiesRequest(_message.Message):
    __slots__ = ["domain", "session"]
    DOMAIN_FIELD_NUMBER: _ClassVar[int]
    SESSION_FIELD_NUMBER: _ClassVar[int]
    domain: str
    session: str
    def __init__(self, session: _Optional[str] = ..., domain: _Optional[str] = ...) -> None: ...

class ClearCookiesResponse(_message.Message):
    __slots__ = ["removed"]
    REMOVED_FIELD_NUMBER: _ClassVar[int]
    removed: _containers.RepeatedCompositeFieldContainer[Cookie]
    def __init__(self, removed: _Optional[_Iterable[_Union[Cookie, _Mapping]]] = ...) -> None: ...

class Cookie(_message.Message):
    __slots__ = ["created_at", "creation_index", "domain", "expires", "host_only", "http_only", "last_accessed_at", "name", "path", "same_site", "secure", "value"]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    CREATION_INDEX_FIELD_NUMBER: _ClassVar[int]
    DOMAIN_FIELD_NUMBER: _ClassVar[int]
    EXPIRES_FIELD_NUMBER: _ClassVar[int]
    HOST_ONLY_FIELD_NUMBER: _ClassVar[int]
    HTTP_ONLY_FIELD_NUMBER: _ClassVar[int]
    LAST_ACCESSED_AT_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    PATH_FIELD_NUMBER: _ClassVar[int]
    SAME_SITE_FIELD_NUMBER: _ClassVar[int]
    SECURE_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    created_at: _timestamp_pb2.Timestamp
    creation_index: int
    domain: str
    expires: _timestamp_pb2.Timestamp
    host_only: bool
    http_only: bool
    last_accessed_at: _timestamp_pb2.Timestamp
    name: str
    path: str
    same_site: SameSite
    secure: bool
    value: str
    def __init__(self, name: _Optional[str] = ..., value: _Optional[str] = ..., domain: _Optional[str] = ..., path: _Optional[str] = ..., secure: bool = ..., http_only: bool = ..., expires: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., same_site: _Optional[_Union[SameSite, str]] = ..., host_only: bool = ..., created_at: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., last_accessed_at: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., creation_index: _Optional[int] = ...) -> None: ...

class CookieHeaderRequest(_message.Message):
    __slots__ = ["context", "header_only", "session", "url"]
    CONTEXT_FIELD_NUMBER: _ClassVar[int]
    HEADER_ONLY_FIELD_NUMBER: _ClassVar[int]
    SESSION_FIELD_NUMBER: _ClassVar[int]
    URL_FIELD_NUMBER: _ClassVar[int]
    context: CookieContext
    header_only: bool
    session: str
    url: str
    def __init__(self, session: _Optional[str] = ..., url: _Optional[str] = ..., context: _Optional[_Union[CookieContext, str]] = ..., header_only: bool = ...) -> None: ...

class CookieHeaderResponse(_message.Message):
    __slots__ = ["cookies", "header"]
    COOKIES_FIELD_NUMBER: _ClassVar[int]
    HEADER_FIELD_NUMBER: _ClassVar[int]
    cookies: _containers.RepeatedCompositeFieldContainer[Cookie]
    header: str
    def __init__(self, header: _Optional[str] = ..., cookies: _Optional[_Iterable[_Union[Cookie, _Mapping]]] = ...) -> None: ...

class CookieOutcome(_message.Message):
    __slots__ = ["cookie", "rejection", "stored"]
    COOKIE_FIELD_NUMBER: _ClassVar[int]
    REJECTION_FIELD_NUMBER: _ClassVar[int]
    STORED_FIELD_NUMBER: _ClassVar[int]
    cookie: Cookie
    rejection: str
    stored: bool
    def __init__(self, stored: bool = ..., cookie: _Optional[_Union[Cookie, _Mapping]] = ..., rejection: _Optional[str] = ...) -> None: ...

class DeleteCookieRequest(_message.Message):
    __slots__ = ["domain", "name", "path", "session"]
    DOMAIN_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    PATH_FIELD_NUMBER: _ClassVar[int]
    SESSION_FIELD_NUMBER: _ClassVar[int]
    domain: str
    name: str
    path: str
    session: str
    def __init__(self, session: _Optional[str] = ..., name: _Optional[str] = ..., domain: _Optional[str] = ..., path: _Optional[str] = ...) -> None: ...

class DeleteCookieResponse(_message.Message):
    __slots__ = ["deleted"]
    DELETED_FIELD_NUMBER: _ClassVar[int]
    deleted: _containers.RepeatedCompositeFieldContainer[Cookie]
    def __init__(self, deleted: _Optional[_Iterable[_Union[Cookie, _Mapping]]] = ...) -> None: ...

class ImportCookiesRequest(_message.Message):
    __slots__ = ["cookies", "replace", "session"]
    COOKIES_FIELD_NUMBER: _ClassVar[int]
    REPLACE_FIELD_NUMBER: _ClassVar[int]
    SESSION_FIELD_NUMBER: _ClassVar[int]
    cookies: _containers.RepeatedCompositeFieldContainer[Cookie]
    replace: bool
    session: str
    def __init__(self, session: _Optional[str] = ..., cookies: _Optional[_Iterable[_Union[Cookie, _Mapping]]] = ..., replace: bool = ...) -> None: ...

class ImportCookiesResponse(_message.Message):
    __slots__ = ["outcomes"]
    OUTCOMES_FIELD_NUMBER: _ClassVar[int]
    outcomes: _containers.RepeatedCompositeFieldContainer[CookieOutcome]
    def __init__(self, outcomes: _Optional[_Iterable[_Union[CookieOutcome, _Mapping]]] = ...) -> None: ...

class ListCookiesRequest(_message.Message):
    __slots__ = ["domain", "session"]
    DOMAIN_FIELD_NUMBER: _ClassVar[int]
    SESSION_FIELD_NUMBER: _ClassVar[int]
    domain: str
    session: str
    def __init__(self, session: _Optional[str] = ..., domain: _Optional[str] = ...) -> None: ...

class ListCookiesResponse(_message.Message):
    __slots__ = ["cookies"]
    COOKIES_FIELD_NUMBER: _ClassVar[int]
    cookies: _containers.RepeatedCompositeFieldContainer[Cookie]
    def __init__(self, cookies: _Optional[_Iterable[_Union[Cookie, _Mapping]]] = ...) -> None: ...

class SetCookieRequest(_message.Message):
    __slots__ = ["cookie", "session"]
    COOKIE_FIELD_NUMBER: _ClassVar[int]
    SESSION_FIELD_NUMBER: _ClassVar[int]
    cookie: Cookie
    session: str
    def __init__(self, session: _Optional[str] = ..., cookie: _Optional[_Union[Cookie, _Mapping]] = ...) -> None: ...

class StoreResponseCookiesRequest(_message.Message):
    __slots__ = ["context", "session", "set_cookie_lines", "url"]
    CONTEXT_FIELD_NUMBER: _ClassVar[int]
    SESSION_FIELD_NUMBER: _ClassVar[int]
    SET_COOKIE_LINES_FIELD_NUMBER: _ClassVar[int]
    URL_FIELD_NUMBER: _ClassVar[int]
    context: CookieContext
    session: str
    set_cookie_lines: _containers.RepeatedScalarFieldContainer[str]
    url: str
    def __init__(self, session: _Optional[str] = ..., url: _Optional[str] = ..., set_cookie_lines: _Optional[_Iterable[str]] = ..., context: _Optional[_Union[CookieContext, str]] = ...) -> None: ...

class StoreResponseCookiesResponse(_message.Message):
    __slots__ = ["outcomes"]
    OUTCOMES_FIELD_NUMBER: _ClassVar[int]
    outcomes: _containers.RepeatedCompositeFieldContainer[CookieOutcome]
    def __init__(self, outcomes: _Optional[_Iterable[_Union[CookieOutcome, _Mapping]]] = ...) -> None: ...

class SameSite(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []

class CookieContext(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []
