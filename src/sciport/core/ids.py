"""Opaque, URL-safe public ids such as ``org_3kq7…``; integer keys never leave the database."""

import base64
import secrets
from typing import Any

from django.db import models


def new_public_id(prefix: str) -> str:
    random_part = base64.b32encode(secrets.token_bytes(10)).decode().lower().rstrip("=")
    return f"{prefix}_{random_part}"


class PublicIdField(models.CharField):
    """A unique public id generated on first save from the given prefix."""

    def __init__(self, *args: Any, prefix: str = "", **kwargs: Any) -> None:
        self.prefix = prefix
        kwargs.setdefault("max_length", 40)
        kwargs.setdefault("unique", True)
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)

    def pre_save(self, model_instance: models.Model, add: bool) -> str:
        value = getattr(model_instance, self.attname)
        if not value:
            value = new_public_id(self.prefix)
            setattr(model_instance, self.attname, value)
        return str(value)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs["prefix"] = self.prefix
        return name, path, args, kwargs
