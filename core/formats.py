"""How the admin shows values: Vietnamese dates and numbers, local time."""
import datetime
import decimal
from zoneinfo import ZoneInfo

from flask import current_app
from flask_admin.model import typefmt


def local_time(value):
    """Stored times are UTC; offices read Vietnam time (the TIMEZONE setting)."""
    zone = ZoneInfo(current_app.config.get("TIMEZONE", "Asia/Ho_Chi_Minh"))
    return value.replace(tzinfo=datetime.timezone.utc).astimezone(zone)


def format_datetime(view, value, name):
    return local_time(value).strftime("%d/%m/%Y %H:%M")


def format_date(view, value, name):
    return value.strftime("%d/%m/%Y")


def format_number(view, value, name):
    from sheets.values import format_decimal, format_int

    if isinstance(value, int) or value == int(value):
        return format_int(int(value))
    return format_decimal(value)


def formatters(base):
    found = dict(base)
    found.update({
        datetime.datetime: format_datetime,
        datetime.date: format_date,
        int: format_number,
        decimal.Decimal: format_number,
    })
    return found


LIST_FORMATTERS = formatters(typefmt.BASE_FORMATTERS)
DETAIL_FORMATTERS = formatters(typefmt.DETAIL_FORMATTERS)
