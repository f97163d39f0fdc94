"""Private file stores (evidence, generated documents), never a place the web server maps.

Each store is a folder named by a setting on this machine's disk (FILE_STORAGE=filesystem, the default), or a key
prefix in an S3-compatible bucket that every app server and worker shares (FILE_STORAGE=s3). The choice is read
from the settings at each use rather than once at import, so that a deployment (and a test) can change it without
rebuilding the model fields, and the migrations, which name only the callables that make the stores, stay the same.
"""

from __future__ import annotations

import os
from functools import cache
from typing import IO, Any

from django.conf import settings
from django.core.files.storage import FileSystemStorage, Storage

FILESYSTEM = "filesystem"
S3 = "s3"
# The key prefix in the bucket that stands for each folder setting (a subclass may name its own `key_prefix`).
KEY_PREFIXES = {"EVIDENCE_ROOT": "evidence", "DOCUMENT_ROOT": "documents"}


def s3_options() -> dict[str, Any]:
    """The bucket and credentials from the settings; empty credentials leave boto3 to find its own (an instance
    role, for example)."""
    return {
        "bucket_name": settings.S3_BUCKET,
        "endpoint_url": settings.S3_ENDPOINT_URL or None,
        "access_key": settings.S3_ACCESS_KEY_ID or None,
        "secret_key": settings.S3_SECRET_ACCESS_KEY or None,
        "region_name": settings.S3_REGION,
        "addressing_style": settings.S3_ADDRESSING_STYLE or None,
        "signature_version": "s3v4",
    }


@cache
def _private_s3_storage() -> type[Storage]:
    """PrivateS3Storage, made on first use: boto3 is imported (some 40 MB in each process) only where a bucket is
    used."""
    from storages.backends.s3 import S3Storage  # noqa: PLC0415
    from storages.utils import clean_name  # noqa: PLC0415

    class PrivateS3Storage(S3Storage):
        """Objects under a key prefix (`location`), private: no ACL is sent (the bucket's own, private by default,
        applies), no URL is ever made (the files are read only by views that check access), and a name that
        exists is never overwritten, as on the filesystem."""

        def __init__(self, location: str = "", **options: Any) -> None:
            options = {
                **s3_options(),
                "location": location,
                "default_acl": None,
                "querystring_auth": False,
                "file_overwrite": False,
                **options,
            }
            super().__init__(**options)

        def url(self, name: str | None, parameters: Any = None, expire: Any = None, http_method: Any = None) -> str:
            raise NotImplementedError("Private files have no URL: they are served by views that check access.")

        def exists(self, name: str) -> bool:
            """Like a folder on disk, a prefix that holds objects exists (the Excel import sweep asks for its
            folder)."""
            if super().exists(name):
                return True
            prefix = self._normalize_name(clean_name(name)).rstrip("/") + "/"
            answer = self.connection.meta.client.list_objects_v2(Bucket=self.bucket_name, Prefix=prefix, MaxKeys=1)
            return answer.get("KeyCount", 0) > 0

    # Named as a module attribute (see __getattr__ below), so that STORAGES and pickle find it.
    PrivateS3Storage.__module__ = __name__
    PrivateS3Storage.__qualname__ = "PrivateS3Storage"
    return PrivateS3Storage


def __getattr__(name: str) -> Any:
    if name == "PrivateS3Storage":
        return _private_s3_storage()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class SettingFolderStorage(Storage):
    """Files under the folder named by `setting_name` on disk, or under a key prefix in the bucket (`key_prefix`,
    or the one KEY_PREFIXES gives for the setting).

    Every operation is handed to the store the settings name at the time of the call; a store is kept while the
    settings that made it stay the same."""

    setting_name = ""
    key_prefix = ""

    def __init__(self) -> None:
        self._kept: tuple[tuple[object, ...], Storage] | None = None

    @property
    def base_location(self) -> str:
        return str(getattr(settings, self.setting_name))

    @property
    def location(self) -> str:
        """The folder on disk (meaningful with FILE_STORAGE=filesystem only)."""
        return os.path.abspath(self.base_location)

    @property
    def prefix(self) -> str:
        """The key prefix in the bucket (meaningful with FILE_STORAGE=s3 only)."""
        return self.key_prefix or KEY_PREFIXES[self.setting_name]

    def _config(self) -> tuple[object, ...]:
        if settings.FILE_STORAGE == S3:
            return (S3, self.prefix, *s3_options().values())
        return (FILESYSTEM, self.location)

    def backend(self) -> Storage:
        """The store in use now: a FileSystemStorage or a PrivateS3Storage."""
        config = self._config()
        kept = self._kept
        if kept is not None and kept[0] == config:
            return kept[1]
        store: Storage
        if config[0] == S3:
            store = _private_s3_storage()(location=self.prefix)
        else:
            store = FileSystemStorage(location=self.location)
        self._kept = (config, store)
        return store

    # Everything a FileField and the views use, handed to the store in use.

    def open(self, name: str, mode: str = "rb") -> Any:
        return self.backend().open(name, mode)

    def save(self, name: str | None, content: IO[Any], max_length: int | None = None) -> str:
        return self.backend().save(name, content, max_length=max_length)

    def _open(self, name: str, mode: str = "rb") -> Any:
        return self.backend()._open(name, mode)

    def _save(self, name: str, content: Any) -> str:
        return self.backend()._save(name, content)

    def generate_filename(self, filename: str) -> str:
        return self.backend().generate_filename(filename)

    def get_valid_name(self, name: str) -> str:
        return self.backend().get_valid_name(name)

    def get_available_name(self, name: str, max_length: int | None = None) -> str:
        return self.backend().get_available_name(name, max_length=max_length)

    def path(self, name: str) -> str:
        return self.backend().path(name)

    def delete(self, name: str) -> None:
        self.backend().delete(name)

    def exists(self, name: str) -> bool:
        return self.backend().exists(name)

    def listdir(self, path: str) -> tuple[list[str], list[str]]:
        return self.backend().listdir(path)

    def size(self, name: str) -> int:
        return self.backend().size(name)

    def url(self, name: str | None) -> str:
        return self.backend().url(name)

    def get_accessed_time(self, name: str) -> Any:
        return self.backend().get_accessed_time(name)

    def get_created_time(self, name: str) -> Any:
        return self.backend().get_created_time(name)

    def get_modified_time(self, name: str) -> Any:
        return self.backend().get_modified_time(name)
