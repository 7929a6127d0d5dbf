"""Where finished images go: a local folder or an S3-compatible bucket (`--out s3://bucket/prefix`).

Both take a file finished in a local temporary folder and put it under its final name in
one step, so a final name never holds a partial image: a local rename on the same file
system, or one S3 PUT (an object appears only once its upload is complete, multipart
included). S3 settings come from the standard AWS environment variables
(AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_REGION / AWS_DEFAULT_REGION,
AWS_ENDPOINT_URL for MinIO, Ceph, R2 and the like); no message ever holds a credential.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

from etl.errors import RunFailure, UserInputError
from etl.export.atomic import safe_child

SECRET_VARIABLES = ("AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_ACCESS_KEY_ID")


class StorageError(Exception):
    """A write or read that did not succeed; worth retrying. The text holds no credential."""


class LocalSink:
    """A folder: {out}/{key}, written by rename from {out}/.partial/ (same file system)."""

    def __init__(self, out: Path) -> None:
        self.root = out.resolve()
        self.destination = str(self.root)
        self.work_root = self.root
        self._folders: dict[str, Path] = {}

    def path(self, key: str) -> Path:
        folder, _, name = key.rpartition("/")
        parent = self._folders.get(folder)
        if parent is None:  # checked once per folder; names are numeric ids + ".jpg"
            parent = self._folders[folder] = safe_child(self.root, folder)
        if not name[:-4].isdigit() or not name.endswith(".jpg"):
            raise ValueError(f"unexpected image name {name!r}")
        return parent / name

    def location(self, key: str) -> str:
        return str(self.path(key))

    async def open(self) -> None:
        try:
            self.root.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise UserInputError(f"cannot create {self.root}: {error.strerror}", hint="check --out") from None

    async def stored_size(self, key: str) -> int | None:
        """Bytes of the stored image, None when there is none."""
        try:
            return self.path(key).stat().st_size
        except FileNotFoundError:
            return None

    async def commit(self, tmp: Path, key: str) -> int:
        final = self.path(key)
        size = tmp.stat().st_size
        try:
            os.replace(tmp, final)
        except FileNotFoundError:  # first image of its folder
            final.parent.mkdir(parents=True, exist_ok=True)
            os.replace(tmp, final)
        return size

    async def fetch_to(self, key: str, target: Path) -> None:
        target.write_bytes(self.path(key).read_bytes())

    async def close(self) -> None:
        pass


def _clean(text: str) -> str:
    """An error text with any credential from the environment masked, on one line."""
    for name in SECRET_VARIABLES:
        value = os.environ.get(name)
        if value and len(value) >= 4:
            text = text.replace(value, "***")
    return " ".join(text.split())[:300]


class S3Sink:
    """An S3-compatible bucket: s3://{bucket}/{prefix}/{key}, one PUT per image (obstore)."""

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        if parts.username or parts.password or "@" in parts.netloc:
            raise UserInputError("--out must not hold credentials",
                                 hint="set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the environment")
        if not parts.netloc:
            raise UserInputError(f"no bucket in {url!r}", hint="write --out s3://BUCKET/PREFIX")
        self.bucket = parts.netloc
        self.prefix = parts.path.strip("/")
        self.destination = f"s3://{self.bucket}/{self.prefix}".rstrip("/")
        # temporary files: a local folder of this machine (images are finished there, then PUT)
        self.work_root = Path(tempfile.gettempdir()) / "mlyetl-images"
        self._store = None

    def key(self, key: str) -> str:
        return f"{self.prefix}/{key}" if self.prefix else key

    def location(self, key: str) -> str:
        return f"s3://{self.bucket}/{self.key(key)}"

    async def open(self) -> None:
        from obstore.store import S3Store

        endpoint = os.environ.get("AWS_ENDPOINT_URL_S3") or os.environ.get("AWS_ENDPOINT_URL") or ""
        options = {"allow_http": True} if endpoint.startswith("http://") else {}
        region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
        config = {"region": region} if region else {}
        try:
            self._store = S3Store(self.bucket, client_options=options, **config)
        except Exception as error:  # noqa: BLE001 - obstore raises its own generic types here
            raise UserInputError(f"cannot use {self.destination}: {_clean(str(error))}",
                                 hint="check the AWS_* environment variables") from None
        await self._check_writable()

    async def _check_writable(self) -> None:
        """A small marker PUT and DELETE: a missing bucket or a refused credential stops the
        run with one line before any image is fetched."""
        import obstore

        marker = self.key(f".mlyetl-write-check-{os.getpid()}")
        try:
            await obstore.put_async(self._store, marker, b"mlyetl")
            await obstore.delete_async(self._store, marker)
        except Exception as error:  # noqa: BLE001
            raise RunFailure(f"cannot write to {self.destination}: {type(error).__name__}: {_clean(str(error))}",
                             hint="check the bucket, AWS_ENDPOINT_URL and the credentials in AWS_* variables") from None

    async def stored_size(self, key: str) -> int | None:
        """Bytes of the stored object, None when there is none (one HEAD request)."""
        import obstore
        from obstore.exceptions import NotFoundError

        try:
            meta = await obstore.head_async(self._store, self.key(key))
        except NotFoundError:
            return None
        except Exception as error:  # noqa: BLE001
            raise StorageError(f"storage HEAD failed: {type(error).__name__}: {_clean(str(error))}") from None
        return int(meta["size"])

    async def commit(self, tmp: Path, key: str) -> int:
        import obstore

        size = tmp.stat().st_size
        try:
            await obstore.put_async(self._store, self.key(key), tmp, attributes={"Content-Type": "image/jpeg"})
        except Exception as error:  # noqa: BLE001
            raise StorageError(f"storage PUT failed: {type(error).__name__}: {_clean(str(error))}") from None
        finally:
            tmp.unlink(missing_ok=True)
        return size

    async def fetch_to(self, key: str, target: Path) -> None:
        import obstore

        try:
            result = await obstore.get_async(self._store, self.key(key))
            target.write_bytes(bytes(await result.bytes_async()))
        except Exception as error:  # noqa: BLE001
            raise StorageError(f"storage GET failed: {type(error).__name__}: {_clean(str(error))}") from None

    async def close(self) -> None:
        self._store = None


def open_sink(out: str) -> LocalSink | S3Sink:
    """The sink for --out: s3://bucket/prefix, or a local folder."""
    scheme = urlsplit(out).scheme.lower() if "://" in out else ""
    if scheme == "s3":
        return S3Sink(out)
    if scheme:
        raise UserInputError(f"--out {scheme}:// is not supported", hint="give a folder or s3://BUCKET/PREFIX")
    return LocalSink(Path(out).expanduser())
