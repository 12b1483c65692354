"""Create and upgrade tables: what ``phoihop init`` does.

New tables are created; a column that a newer model declares but the table lacks is
added with ``playhouse.migrate`` (the field must be nullable or have a default; the rows
already there get the default), so an upgrade never drops data. On SQLite a NOT NULL
column means rebuilding the table, which fails when other tables' rows refer to it:
columns meant for such tables are declared nullable with a default (``core.records``).
Running it twice changes nothing the second time.
"""
from playhouse.migrate import migrate, PostgresqlMigrator, SqliteMigrator

from core.db import database
from core.errors import ConfigError


def migrator_for(db):
    if db.__class__.__name__.startswith("Postgres") or "postgres" in type(db).__module__:
        return PostgresqlMigrator(db)
    return SqliteMigrator(db)


def upgrade(models):
    """Create missing tables and add missing columns. Returns what was done, as text."""
    db = database.obj
    done = []
    with database.atomic():
        existing = set(db.get_tables())
        new = [m for m in models if m._meta.table_name not in existing]
        if new:
            db.create_tables(new, safe=True)
            done += [f"tạo bảng {m._meta.table_name}" for m in new]
        migrator = migrator_for(db)
        for model in models:
            if model in new:
                continue
            table = model._meta.table_name
            columns = {c.name for c in db.get_columns(table)}
            for field in model._meta.sorted_fields:
                if field.column_name in columns:
                    continue
                if not field.null and field.default is None:
                    raise ConfigError(
                        f"Không thể thêm cột {table}.{field.column_name}: cột mới phải cho phép trống hoặc có giá trị mặc định"
                    )
                migrate(migrator.add_column(table, field.column_name, field))
                if field.null and field.default is not None:  # the rows already there get the default too
                    migrate(migrator.apply_default(table, field.column_name, field))
                done.append(f"thêm cột {table}.{field.column_name}")
            # PostgreSQL cuts identifiers to 63 bytes: compare what both engines keep
            indexes = {index.name[:63] for index in db.get_indexes(table)}
            missing = [index._name for index in model._meta.fields_to_index() if index._name[:63] not in indexes]
            if missing:  # indexes a newer version of the model declares (IF NOT EXISTS)
                model._schema.create_indexes(safe=True)
                done += [f"thêm chỉ mục {name}" for name in missing]
    return done
