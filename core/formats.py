"""How the admin shows values: Vietnamese dates and numbers, local time."""
import datetime
import decimal
from zoneinfo import ZoneInfo

from flask import current_app
from flask_admin.model import typefmt

from core import vietnamese


def local_time(value):
    """Stored times are UTC; offices read Vietnam time (the TIMEZONE setting)."""
    zone = ZoneInfo(current_app.config.get("TIMEZONE", "Asia/Ho_Chi_Minh"))
    return value.replace(tzinfo=datetime.timezone.utc).astimezone(zone)


def format_datetime(view, value, name):
    return vietnamese.format_datetime(local_time(value))


def format_date(view, value, name):
    return vietnamese.format_date(value)


def format_number(view, value, name):
    return vietnamese.format_number(value)


def format_bool(view, value, name):
    return "Có" if value else "Không"


def formatters(base):
    found = dict(base)
    found.update({
        datetime.datetime: format_datetime,
        datetime.date: format_date,
        int: format_number,
        decimal.Decimal: format_number,
    })
    found.setdefault(bool, format_bool)  # a list page keeps Flask-Admin's check icons
    return found


LIST_FORMATTERS = formatters(typefmt.BASE_FORMATTERS)
DETAIL_FORMATTERS = formatters(typefmt.DETAIL_FORMATTERS)
