"""S3-protocol storage settings, from the standard AWS environment variables.

A DuckLake's data (TWILIGHT_LAKE_DATA) and the raw archive (TWILIGHT_ARCHIVE) may live on
S3 or anything speaking its protocol (MinIO, Ceph, a cloud's S3 API). DuckDB's httpfs and
pyarrow both need the credentials, the region and, for anything but AWS itself, the
endpoint; neither reads the endpoint (nor path-style addressing) from the environment, so
both are made here from AWS_ENDPOINT_URL, the variable AWS's own tools read. A custom
endpoint is addressed by path (`<bucket>.<host>` resolves nowhere), over plain HTTP when
its URL says http.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from urllib.parse import urlparse


@dataclass(frozen=True)
class S3Settings:
    key_id: str | None
    secret: str | None
    session_token: str | None
    region: str | None
    endpoint: str | None  # host:port of a custom endpoint; None for AWS
    use_ssl: bool

    @classmethod
    def from_env(cls) -> S3Settings:
        env = os.environ
        endpoint = env.get("AWS_ENDPOINT_URL_S3") or env.get("AWS_ENDPOINT_URL")
        url = urlparse(endpoint if endpoint and "://" in endpoint else f"https://{endpoint}") if endpoint else None
        return cls(
            key_id=env.get("AWS_ACCESS_KEY_ID") or None,
            secret=env.get("AWS_SECRET_ACCESS_KEY") or None,
            session_token=env.get("AWS_SESSION_TOKEN") or None,
            region=env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or None,
            endpoint=url.netloc if url else None,
            use_ssl=url.scheme == "https" if url else True,
        )

    def duckdb_secret_sql(self, name: str = "twilight_s3") -> str:
        parts = ["TYPE s3"]
        for option, value in (("KEY_ID", self.key_id), ("SECRET", self.secret),
                              ("SESSION_TOKEN", self.session_token), ("REGION", self.region)):
            if value:
                parts.append(f"{option} {_literal(value)}")
        if self.endpoint:
            parts += [f"ENDPOINT {_literal(self.endpoint)}", "URL_STYLE 'path'",
                      f"USE_SSL {'true' if self.use_ssl else 'false'}"]
        return f"CREATE OR REPLACE SECRET {name} ({', '.join(parts)})"

    def pyarrow_filesystem(self):
        from pyarrow import fs

        options = {"access_key": self.key_id, "secret_key": self.secret,
                   "session_token": self.session_token, "region": self.region}
        if self.endpoint:
            options.update(endpoint_override=self.endpoint, scheme="https" if self.use_ssl else "http")
        return fs.S3FileSystem(**{k: v for k, v in options.items() if v is not None})


def split_s3_url(url: str) -> str:
    """`s3://bucket/prefix` -> `bucket/prefix`, as pyarrow's S3 filesystem names paths."""
    return url.removeprefix("s3://").rstrip("/")


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
