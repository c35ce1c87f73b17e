from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Iterable as _Iterable, Mapping as _Mapping, Optional as _Optional, Union as _Union

ARTIFACT_TYPE_AGENT_OUTPUT: ArtifactType
ARTIFACT_TYPE_LOG: ArtifactType
ARTIFACT_TYPE_RESULT: ArtifactType
ARTIFACT_TYPE_SYSTEM_GENERATED: ArtifactType
ARTIFACT_TYPE_TOOL_RESULT: ArtifactType
ARTIFACT_TYPE_UNSPECIFIED: ArtifactType
ARTIFACT_TYPE_USER_INPUT: ArtifactType
DESCRIPTOR: _descriptor.FileDescriptor

class AbortUploadRequest(_message.Message):
    __slots__ = ["upload_id"]
    UPLOAD_ID_FIELD_NUMBER: _ClassVar[int]
    upload_id: str
    def __init__(self, upload_id: _Optional[str] = ...) -> None: ...

class AbortUploadResponse(_message.Message):
    __slots__ = []
    def __init__(self) -> None: ...

class AppendUploadRequest(_message.Message):
    __slots__ = ["data", "offset", "upload_id"]
    DATA_FIELD_NUMBER: _ClassVar[int]
    OFFSET_FIELD_NUMBER: _ClassVar[int]
    UPLOAD_ID_FIELD_NUMBER: _ClassVar[int]
    data: bytes
    offset: int
    upload_id: str
    def __init__(self, upload_id: _Optional[str] = ..., offset: _Optional[int] = ..., data: _Optional[bytes] = ...) -> None: ...

class AppendUploadResponse(_message.Message):
    __slots__ = ["received"]
    RECEIVED_FIELD_NUMBER: _ClassVar[int]
    received: int
    def __init__(self, received: _Optional[int] = ...) -> None: ...

class Artifact(_message.Message):
    __slots__ = ["content_type", "created_at", "created_seq", "encoding", "id", "metadata", "name", "owner", "sha256", "size", "stored_size", "tags", "type"]
    class MetadataEntry(_message.Message):
        __slots__ = ["key", "value"]
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    CONTENT_TYPE_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    CREATED_SEQ_FIELD_NUMBER: _ClassVar[int]
    ENCODING_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    METADATA_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    OWNER_FIELD_NUMBER: _ClassVar[int]
    SHA256_FIELD_NUMBER: _ClassVar[int]
    SIZE_FIELD_NUMBER: _ClassVar[int]
    STORED_SIZE_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    content_type: str
    created_at: _timestamp_pb2.Timestamp
    created_seq: int
    encoding: str
    id: str
    metadata: _containers.ScalarMap[str, str]
    name: str
    owner: ArtifactOwner
    sha256: str
    size: int
    stored_size: int
    tags: _containers.RepeatedScalarFieldContainer[str]
    type: ArtifactType
    def __init__(self, id: _Optional[str] = ..., owner: _Optional[_Union[ArtifactOwner, _Mapping]] = ..., name: _Optional[str] = ..., type: _Optional[_Union[ArtifactType, str]] = ..., content_type: _Optional[str] = ..., size: _Optional[int] = ..., sha256: _Optional[str] = ..., created_at: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., tags: _Optional[_Iterable[str]] = ..., metadata: _Optional[_Mapping[str, str]] = ..., encoding: _Optional[str] = ..., stored_size: _Optional[int] = ..., created_seq: _Optional[int] = ...) -> None: ...

class ArtifactOwner(_message.Message):
    __slots__ = ["job_id", "session"]
    JOB_ID_FIELD_NUMBER: _ClassVar[int]
    SESSION_FIELD_NUMBER: _ClassVar[int]
    job_id: str
    session: str
    def __init__(self, session: _Optional[str] = ..., job_id: _Optional[str] = ...) -> None: ...

class ArtifactStatsRequest(_message.Message):
    __slots__ = []
    def __init__(self) -> None: ...

class ArtifactStatsResponse(_message.Message):
    __slots__ = ["artifacts", "blobs", "by_type", "logical_bytes", "physical_bytes", "unique_bytes"]
    ARTIFACTS_FIELD_NUMBER: _ClassVar[int]
    BLOBS_FIELD_NUMBER: _ClassVar[int]
    BY_TYPE_FIELD_NUMBER: _ClassVar[int]
    LOGICAL_BYTES_FIELD_NUMBER: _ClassVar[int]
    PHYSICAL_BYTES_FIELD_NUMBER: _ClassVar[int]
    UNIQUE_BYTES_FIELD_NUMBER: _ClassVar[int]
    artifacts: int
    blobs: int
    by_type: _containers.RepeatedCompositeFieldContainer[ArtifactTypeCount]
    logical_bytes: int
    physical_bytes: int
    unique_bytes: int
    def __init__(self, artifacts: _Optional[int] = ..., blobs: _Optional[int] = ..., logical_bytes: _Optional[int] = ..., unique_bytes: _Optional[int] = ..., physical_bytes: _Optional[int] = ..., by_type: _Optional[_Iterable[_Union[ArtifactTypeCount, _Mapping]]] = ...) -> None: ...

class ArtifactTypeCount(_message.Message):
    __slots__ = ["artifacts", "type"]
    ARTIFACTS_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    artifacts: int
    type: ArtifactType
    def __init__(self, type: _Optional[_Union[ArtifactType, str]] = ..., artifacts: _Optional[int] = ...) -> None: ...

class BeginUploadRequest(_message.Message):
    __slots__ = ["owner"]
    OWNER_FIELD_NUMBER: _ClassVar[int]
    owner: ArtifactOwner
    def __init__(self, owner: _Optional[_Union[ArtifactOwner, _Mapping]] = ...) -> None: ...

class BeginUploadResponse(_message.Message):
    __slots__ = ["upload_id"]
    UPLOAD_ID_FIELD_NUMBER: _ClassVar[int]
    upload_id: str
    def __init__(self, upload_id: _Optional[str] = ...) -> None: ...

class CommitUploadRequest(_message.Message):
    __slots__ = ["content_type", "expected_sha256", "metadata", "name", "tags", "type", "upload_id"]
    class MetadataEntry(_message.Message):
        __slots__ = ["key", "value"]
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    CONTENT_TYPE_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_SHA256_FIELD_NUMBER: _ClassVar[int]
    METADATA_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    UPLOAD_ID_FIELD_NUMBER: _ClassVar[int]
    content_type: str
    expected_sha256: str
    metadata: _containers.ScalarMap[str, str]
    name: str
    tags: _containers.RepeatedScalarFieldContainer[str]
    type: ArtifactType
    upload_id: str
    def __init__(self, upload_id: _Optional[str] = ..., name: _Optional[str] = ..., type: _Optional[_Union[ArtifactType, str]] = ..., content_type: _Optional[str] = ..., tags: _Optional[_Iterable[str]] = ..., metadata: _Optional[_Mapping[str, str]] = ..., expected_sha256: _Optional[str] = ...) -> None: ...

class DeleteArtifactRequest(_message.Message):
    __slots__ = ["artifact_id", "owner"]
    ARTIFACT_ID_FIELD_NUMBER: _ClassVar[int]
    OWNER_FIELD_NUMBER: _ClassVar[int]
    artifact_id: str
    owner: ArtifactOwner
    def __init__(self, artifact_id: _Optional[str] = ..., owner: _Optional[_Union[ArtifactOwner, _Mapping]] = ...) -> None: ...

class DeleteArtifactResponse(_message.Message):
    __slots__ = ["blob_removed", "deleted"]
    BLOB_REMOVED_FIELD_NUMBER: _ClassVar[int]
    DELETED_FIELD_NUMBER: _ClassVar[int]
    blob_removed: bool
    deleted: Artifact
    def __init__(self, deleted: _Optional[_Union[Artifact, _Mapping]] = ..., blob_removed: bool = ...) -> None: ...

class GetArtifactRequest(_message.Message):
    __slots__ = ["artifact_id", "owner"]
    ARTIFACT_ID_FIELD_NUMBER: _ClassVar[int]
    OWNER_FIELD_NUMBER: _ClassVar[int]
    artifact_id: str
    owner: ArtifactOwner
    def __init__(self, artifact_id: _Optional[str] = ..., owner: _Optional[_Union[ArtifactOwner, _Mapping]] = ...) -> None: ...

class OpenArtifactFileRequest(_message.Message):
    __slots__ = ["artifact_id", "owner"]
    ARTIFACT_ID_FIELD_NUMBER: _ClassVar[int]
    OWNER_FIELD_NUMBER: _ClassVar[int]
    artifact_id: str
    owner: ArtifactOwner
    def __init__(self, artifact_id: _Optional[str] = ..., owner: _Optional[_Union[ArtifactOwner, _Mapping]] = ...) -> None: ...

class OpenArtifactFileResponse(_message.Message):
    __slots__ = ["artifact"]
    ARTIFACT_FIELD_NUMBER: _ClassVar[int]
    artifact: Artifact
    def __init__(self, artifact: _Optional[_Union[Artifact, _Mapping]] = ...) -> None: ...

class PutArtifactFileRequest(_message.Message):
    __slots__ = ["commit", "owner"]
    COMMIT_FIELD_NUMBER: _ClassVar[int]
    OWNER_FIELD_NUMBER: _ClassVar[int]
    commit: CommitUploadRequest
    owner: ArtifactOwner
    def __init__(self, owner: _Optional[_Union[ArtifactOwner, _Mapping]] = ..., commit: _Optional[_Union[CommitUploadRequest, _Mapping]] = ...) -> None: ...

class QueryArtifactsRequest(_message.Message):
    __slots__ = ["created_after", "created_before", "cursor", "limit", "max_size", "min_size", "name_glob", "owner", "tags", "types"]
    CREATED_AFTER_FIELD_NUMBER: _ClassVar[int]
    CREATED_BEFORE_FIELD_NUMBER: _ClassVar[int]
    CURSOR_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    MAX_SIZE_FIELD_NUMBER: _ClassVar[int]
    MIN_SIZE_FIELD_NUMBER: _ClassVar[int]
    NAME_GLOB_FIELD_NUMBER: _ClassVar[int]
    OWNER_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    TYPES_FIELD_NUMBER: _ClassVar[int]
    created_after: _timestamp_pb2.Timestamp
    created_before: _timestamp_pb2.Timestamp
    cursor: str
    limit: int
    max_size: int
    min_size: int
    name_glob: str
    owner: ArtifactOwner
    tags: _containers.RepeatedScalarFieldContainer[str]
    types: _containers.RepeatedScalarFieldContainer[ArtifactType]
    def __init__(self, owner: _Optional[_Union[ArtifactOwner, _Mapping]] = ..., types: _Optional[_Iterable[_Union[ArtifactType, str]]] = ..., tags: _Optional[_Iterable[str]] = ..., name_glob: _Optional[str] = ..., created_after: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., created_before: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., min_size: _Optional[int] = ..., max_size: _Optional[int] = ..., limit: _Optional[int] = ..., cursor: _Optional[str] = ...) -> None: ...

class QueryArtifactsResponse(_message.Message):
    __slots__ = ["artifacts", "next_cursor"]
    ARTIFACTS_FIELD_NUMBER: _ClassVar[int]
    NEXT_CURSOR_FIELD_NUMBER: _ClassVar[int]
    artifacts: _containers.RepeatedCompositeFieldContainer[Artifact]
    next_cursor: str
    def __init__(self, artifacts: _Optional[_Iterable[_Union[Artifact, _Mapping]]] = ..., next_cursor: _Optional[str] = ...) -> None: ...

class ReadArtifactRequest(_message.Message):
    __slots__ = ["artifact_id", "length", "offset", "owner"]
    ARTIFACT_ID_FIELD_NUMBER: _ClassVar[int]
    LENGTH_FIELD_NUMBER: _ClassVar[int]
    OFFSET_FIELD_NUMBER: _ClassVar[int]
    OWNER_FIELD_NUMBER: _ClassVar[int]
    artifact_id: str
    length: int
    offset: int
    owner: ArtifactOwner
    def __init__(self, artifact_id: _Optional[str] = ..., owner: _Optional[_Union[ArtifactOwner, _Mapping]] = ..., offset: _Optional[int] = ..., length: _Optional[int] = ...) -> None: ...

class ReadArtifactResponse(_message.Message):
    __slots__ = ["data", "size"]
    DATA_FIELD_NUMBER: _ClassVar[int]
    SIZE_FIELD_NUMBER: _ClassVar[int]
    data: bytes
    size: int
    def __init__(self, data: _Optional[bytes] = ..., size: _Optional[int] = ...) -> None: ...

class ArtifactType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []
