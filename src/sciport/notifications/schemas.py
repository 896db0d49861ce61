from datetime import datetime

from ninja import Schema


class NotificationOut(Schema):
    id: str
    kind: str
    subject: str
    body: str
    url: str
    created_at: datetime
    read_at: datetime | None


class UnreadOut(Schema):
    unread: int


class PreferenceOut(Schema):
    kind: str
    label: str
    inbox: bool
    email: bool


class PreferenceIn(Schema):
    inbox: bool
    email: bool
