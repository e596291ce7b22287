"""Evidence storage is chosen by EVIDENCE_STORAGE, without any network call at start-up.

Settings are read once per process, so each case starts Django in a subprocess of its own.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]
PROBE = """
import json, django
django.setup()
from django.core.files.storage import storages
storage = storages["default"]
print(json.dumps({
    "class": f"{type(storage).__module__}.{type(storage).__name__}",
    "location": str(getattr(storage, "location", "")),
    "bucket": getattr(storage, "bucket_name", None),
    "file_overwrite": getattr(storage, "file_overwrite", None),
    "default_acl": getattr(storage, "default_acl", None),
    "querystring_auth": getattr(storage, "querystring_auth", None),
    "querystring_expire": getattr(storage, "querystring_expire", None),
}))
"""


def run_probe(tmp_path, **variables):
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "LANG": "C.UTF-8",
        "PYTHONDONTWRITEBYTECODE": "1",
        "DJANGO_SETTINGS_MODULE": "phso.settings",
        "DJANGO_ENV": "test",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'unused.sqlite3'}",
        # Any attempt to reach AWS (credentials from instance metadata, a bucket) would fail here.
        "AWS_EC2_METADATA_DISABLED": "true",
        "HTTPS_PROXY": "http://127.0.0.1:9",
        "HTTP_PROXY": "http://127.0.0.1:9",
        **variables,
    }
    return subprocess.run(  # noqa: S603 - fixed arguments: this interpreter and a fixed script
        [sys.executable, "-c", PROBE],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


class TestEvidenceStorageSetting:
    def test_default_is_the_file_system_under_var_media(self, tmp_path):
        result = run_probe(tmp_path)
        assert result.returncode == 0, result.stderr
        chosen = json.loads(result.stdout)
        assert chosen["class"] == "django.core.files.storage.filesystem.FileSystemStorage"
        assert chosen["location"] == str(BASE_DIR / "var" / "media")

    def test_s3_is_private_never_overwrites_and_signs_short_lived_urls(self, tmp_path):
        result = run_probe(
            tmp_path,
            EVIDENCE_STORAGE="s3",
            AWS_STORAGE_BUCKET_NAME="ombudsman-evidence",
            AWS_S3_REGION_NAME="eu-west-2",
        )
        assert result.returncode == 0, result.stderr
        assert json.loads(result.stdout) == {
            "class": "storages.backends.s3.S3Storage",
            "location": "",
            "bucket": "ombudsman-evidence",
            "file_overwrite": False,
            "default_acl": "private",
            "querystring_auth": True,
            "querystring_expire": 60,
        }

    def test_s3_without_a_bucket_refuses_to_start(self, tmp_path):
        result = run_probe(tmp_path, EVIDENCE_STORAGE="s3")
        assert result.returncode != 0
        assert "AWS_STORAGE_BUCKET_NAME" in result.stderr

    def test_an_unknown_storage_refuses_to_start(self, tmp_path):
        result = run_probe(tmp_path, EVIDENCE_STORAGE="ftp")
        assert result.returncode != 0
        assert "EVIDENCE_STORAGE must be filesystem or s3, not 'ftp'" in result.stderr
