"""`mlyetl images download --out s3://...` against a real S3 server (moto in server mode)."""

from __future__ import annotations

import io
import os

import obstore
from obstore.store import S3Store
from PIL import Image

from etl.images.exif import GPS_IFD
from tests.conftest import run_cli
from tests.images.conftest import S3Server, cli_env, load_world_images
from tests.images.test_download import _downloads, _positions


def _store(s3: S3Server, bucket: str) -> S3Store:
    return S3Store(bucket, endpoint=s3.endpoint, access_key_id=s3.env["AWS_ACCESS_KEY_ID"],
                   secret_access_key=s3.env["AWS_SECRET_ACCESS_KEY"], region="us-east-1",
                   client_options={"allow_http": True})


def _objects(store: S3Store) -> dict[str, bytes]:
    keys = [meta["path"] for batch in obstore.list(store) for meta in batch]
    return {key: bytes(obstore.get(store, key).bytes()) for key in keys}


def _dms(values: tuple, ref: str, negative: str) -> float:
    degrees = float(values[0]) + float(values[1]) / 60 + float(values[2]) / 3600
    return -degrees if ref == negative else degrees


def test_s3_round_trip_with_exif_resize_and_resume(db_dsn: str, simulator, world, s3_server: S3Server) -> None:  # noqa: ANN001
    ids = load_world_images(db_dsn, world, 30)
    s3_server.create_bucket("datasets")
    env = cli_env(db_dsn, **s3_server.env)
    args = ("images", "download", "--result", "tiny", "--size", "256", "--resize", "100",
            "--out", "s3://datasets/eu/v1", "--graph-url", simulator.base_url, "--backoff", "0.05")
    done = run_cli(*args, env=env)
    assert done.returncode == 0, done.stderr
    assert "downloaded 30 images" in done.stdout
    secret = s3_server.env["AWS_SECRET_ACCESS_KEY"]
    assert secret not in done.stdout + done.stderr

    objects = _objects(_store(s3_server, "datasets"))
    labels = {"urban": "urban_100m", "other": "other_1000m"}
    positions = _positions(db_dsn)
    expected = {f"eu/v1/{labels[positions[i][2]]}/256/{i}.jpg" for i in ids}
    expected |= {f"eu/v1/{labels[positions[i][2]]}/256_resized_100/{i}.jpg" for i in ids}
    assert set(objects) == expected  # the folder layout, nothing partial, no marker left behind
    for key, body in objects.items():
        image_id = int(key.rsplit("/", 1)[1][:-4])
        lon, lat, _ = positions[image_id]
        with Image.open(io.BytesIO(body)) as image:
            image.load()
            exif = image.getexif()
            gps = exif.get_ifd(GPS_IFD)
            assert abs(_dms(gps[2], gps[1], "S") - lat) < 1e-6 and abs(_dms(gps[4], gps[3], "W") - lon) < 1e-6
            assert exif.get_ifd(0x8769)[0xA420] == str(image_id)  # ImageUniqueID
            assert max(image.size) == (100 if "resized" in key else 256)
    recorded = _downloads(db_dsn)
    assert len(recorded) == 30 and {s for s, _ in recorded.values()} == {"done"}

    served = simulator.stats["requests"]["thumbs"]
    again = run_cli(*args, env=env)  # resumable: nothing fetched twice
    assert again.returncode == 0, again.stderr
    assert "30 already stored" in again.stdout
    assert simulator.stats["requests"]["thumbs"] == served


def test_s3_refusals_are_one_line_without_secrets(db_dsn: str, simulator, world, s3_server: S3Server) -> None:  # noqa: ANN001
    load_world_images(db_dsn, world, 3)
    env = cli_env(db_dsn, **s3_server.env)
    missing = run_cli("images", "download", "--result", "tiny", "--size", "256", "--out", "s3://no-such-bucket/x",
                      "--graph-url", simulator.base_url, env=env)
    assert missing.returncode == 1
    lines = missing.stderr.strip().splitlines()
    assert len(lines) == 1 and "cannot write to s3://no-such-bucket/x" in lines[0], missing.stderr
    assert s3_server.env["AWS_SECRET_ACCESS_KEY"] not in missing.stderr + missing.stdout
    inline = run_cli("images", "download", "--result", "tiny", "--out", "s3://AKIDEXAMPLE:hunter2secret@bucket/x", env=env)
    assert inline.returncode == 2 and "must not hold credentials" in inline.stderr and "hunter2secret" not in inline.stderr
    assert os.environ.get("AWS_SECRET_ACCESS_KEY") != s3_server.env["AWS_SECRET_ACCESS_KEY"]
