"""`phoihop init`: create, upgrade, and never drop data."""
import peewee
import pytest

from core.db import BaseModel, database
from core.errors import ConfigError
from core.models import Unit
from core.schema import upgrade


def test_init_twice_is_harmless(runner):
    first = runner("init")
    second = runner("init")
    assert first.exit_code == 0 and "tạo bảng unit" in first.output
    assert second.exit_code == 0 and "phiên bản mới nhất" in second.output


def test_upgrade_adds_a_new_column_and_keeps_the_rows(app):
    class Note(BaseModel):
        text = peewee.CharField()

        class Meta:
            table_name = "note"

    class NoteV2(BaseModel):
        text = peewee.CharField()
        pinned = peewee.BooleanField(default=False)
        topic = peewee.CharField(null=True)

        class Meta:
            table_name = "note"

    with app.app_context():
        upgrade([Note])
        Note.create(text="giữ nguyên")
        done = upgrade([NoteV2])
        assert done == ["thêm cột note.pinned", "thêm cột note.topic"]
        row = NoteV2.get()
        assert (row.text, row.pinned, row.topic) == ("giữ nguyên", False, None)
        assert upgrade([NoteV2]) == []


def test_upgrade_adds_the_indexes_a_newer_model_declares(app):
    class Log(BaseModel):
        day = peewee.DateField(null=True)

        class Meta:
            table_name = "log"

    class LogV2(BaseModel):
        day = peewee.DateField(null=True, index=True)
        place = peewee.CharField(null=True)

        class Meta:
            table_name = "log"
            indexes = ((("place", "day"), False),)

    with app.app_context():
        upgrade([Log])
        assert upgrade([LogV2]) == ["thêm cột log.place", "thêm chỉ mục log_day", "thêm chỉ mục log_place_day"]
        assert {"log_day", "log_place_day"} <= {index.name for index in database.obj.get_indexes("log")}
        assert upgrade([LogV2]) == []


def test_upgrade_refuses_a_required_column_without_default(app):
    class Memo(BaseModel):
        text = peewee.CharField()

        class Meta:
            table_name = "memo"

    class MemoV2(BaseModel):
        text = peewee.CharField()
        owner = peewee.CharField()

        class Meta:
            table_name = "memo"

    with app.app_context():
        upgrade([Memo])
        with pytest.raises(ConfigError, match="memo.owner"):
            upgrade([MemoV2])
        assert [c.name for c in database.get_columns("memo")] == ["id", "text"]
        assert Unit.select().count() == 0
