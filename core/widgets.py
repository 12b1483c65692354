"""Admin widgets every area builds its views with, so that money, dates, lookups and
filters look and behave the same everywhere:

- :class:`MoneyField`: an amount in đồng, shown as ``12.500.000``, grouped while typing
  (``core/static/phoihop/widgets.js``), read as offices write it: ``12,5 triệu``,
  ``1,5 tỷ``, ``50.000.000`` (:func:`core.vietnamese.parse_money`);
- :class:`DateField`: a ``dd/mm/yyyy`` date with Flask-Admin's date picker; it also reads
  ``yyyy-mm-dd`` and the other spellings of :func:`core.vietnamese.parse_date`.
  :class:`ModelConverter` gives it to every date column of a :class:`core.admin.ModelView`;
- :class:`OrganisationLookup` / :class:`PersonLookup`: Select2 searches (AJAX) over the
  organisations or people the user may see — their unit's; an admin without a unit sees
  every unit's, each row naming its unit. The rule is :func:`core.admin.scope`'s.
  :class:`LookupField` / :class:`LookupMultipleField` refuse an id the user may not see
  instead of dropping it;
- :class:`YearFilter` and :func:`unit_filters`: the filters every list has;
- column formatters: :func:`money_column`, :func:`date_column`, :func:`plain_column`,
  :func:`choice_column`.

A view uses them declaratively::

    form_overrides = {"budget": MoneyField}
    column_filters = [*unit_filters(), YearFilter(Entry.received_on, "Năm")]
    column_formatters = {"budget": money_column}

    def __init__(self, *args, **kwargs):
        self.form_ajax_refs = {"workplace": OrganisationLookup("workplace")}
        super().__init__(*args, **kwargs)
"""
import datetime as dt
import re

import peewee
from flask import has_request_context
from flask_admin.babel import lazy_gettext as admin_gettext
from flask_admin.contrib.peewee.ajax import QueryAjaxModelLoader
from flask_admin.contrib.peewee.filters import BasePeeweeFilter, FilterEqual, FilterLike
from flask_admin.contrib.peewee.form import CustomModelConverter
from flask_admin.form import DatePickerWidget
from flask_admin.model import filters as base_filters
from flask_admin.model.fields import AjaxSelectField, AjaxSelectMultipleField
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import StringField
from wtforms.validators import ValidationError
from wtforms.widgets import TextInput

from core import vietnamese
from core.models import Organisation, Person, Unit, name_key
from core.security import parse_key


def _scope(query, model):
    from core.admin import scope  # core.admin builds its views with this module

    return scope(query, model)


def _unscoped():
    return has_request_context() and getattr(current_user, "unit_id", None) is None


# -- money --------------------------------------------------------------------------------------
class MoneyInput(TextInput):
    """A text input whose digits widgets.js groups by thousands as the person types."""

    def __call__(self, field, **kwargs):
        kwargs.setdefault("data-phoihop-money", "")
        kwargs.setdefault("autocomplete", "off")
        return super().__call__(field, **kwargs)


class MoneyField(StringField):
    """An amount in đồng (an ``int``), typed as offices write it ('50.000.000', '12,5
    triệu', '1,5 tỷ') and shown with thousands separators ('12.500.000')."""

    widget = MoneyInput()

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return vietnamese.format_money(self.data)

    def process_formdata(self, valuelist):
        self.data = None
        if valuelist and valuelist[0].strip():
            try:
                self.data = vietnamese.parse_money(valuelist[0])
            except vietnamese.ParseError as exc:
                raise ValueError(f'"{valuelist[0]}" {exc.reason}') from None


# -- dates --------------------------------------------------------------------------------------
DATE_FORMAT = "DD/MM/YYYY"  # moment.js's spelling of dd/mm/yyyy, for the date picker


class DateInput(DatePickerWidget):
    """Flask-Admin's date picker, writing ``dd/mm/yyyy``."""

    def __call__(self, field, **kwargs):
        kwargs.setdefault("data-date-format", DATE_FORMAT)
        kwargs.setdefault("placeholder", "dd/mm/yyyy")
        kwargs.setdefault("autocomplete", "off")
        return super().__call__(field, **kwargs)


class DateField(StringField):
    """A ``datetime.date`` shown as ``dd/mm/yyyy`` and read by
    :func:`core.vietnamese.parse_date` (``31/12/2021``, ``31-12-2021``, ``2021-12-31``…);
    an impossible date (``31/02/2021``) is an error that names the value."""

    widget = DateInput()

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return vietnamese.format_date(self.data) if isinstance(self.data, dt.date) else (self.data or "")

    def process_formdata(self, valuelist):
        self.data = None
        if valuelist and valuelist[0].strip():
            try:
                self.data = vietnamese.parse_date(valuelist[0])
            except vietnamese.ParseError as exc:
                raise ValueError(f'"{valuelist[0]}" {exc.reason}') from None


# -- lookups ------------------------------------------------------------------------------------
class ScopedLookup(QueryAjaxModelLoader):
    """Select2 search (Flask-Admin's AJAX loader) over the rows of ``model`` — a model
    with ``unit`` and ``name_key`` — that the current user may see. The typed text is
    compared by name key (case, spacing and Unicode form do not matter)."""

    order_by = ()

    def __init__(self, name, model, *, placeholder=None, **options):
        options.setdefault("minimum_input_length", 0)
        if placeholder is not None:
            options["placeholder"] = placeholder
        super().__init__(name, model, fields=["name_key"], **options)

    def query(self):
        return _scope(self.model.select(self.model, Unit).join(Unit), self.model)

    def label(self, row):
        """How a row reads in the list (the unit is added for an unscoped admin)."""
        return str(row)

    def format(self, row):
        if not row:
            return None
        text = self.label(row)
        if _unscoped():  # an admin of every unit: say whose row it is
            text = f"{text} — {row.unit.code or row.unit.name}"
        return row.id, text

    def get_one(self, pk):
        key = parse_key(self.model._meta.primary_key, pk)
        if key is None:
            return None
        return self.query().where(self.model._meta.primary_key == key).first()

    def get_list(self, term, offset=0, limit=10):
        query = self.query()
        wanted = name_key(term)
        if wanted:
            query = query.where(self.model.name_key.contains(wanted))
        return list(query.order_by(*self.order_by).offset(offset or 0).limit(limit))


class OrganisationLookup(ScopedLookup):
    """The organisations (partners, workplaces…) the user may pick: their unit's."""

    order_by = (Organisation.name, Organisation.id)

    def __init__(self, name, placeholder=None, **options):
        super().__init__(name, Organisation, placeholder=placeholder or _l("Search organisations…"), **options)


class PersonLookup(ScopedLookup):
    """The people (speakers, judges, experts…) the user may pick: their unit's; a year of
    birth tells homonyms apart."""

    order_by = (Person.full_name, Person.year_of_birth, Person.id)

    def __init__(self, name, placeholder=None, **options):
        super().__init__(name, Person, placeholder=placeholder or _l("Search people…"), **options)

    def label(self, row):
        return f"{row} ({row.year_of_birth})" if row.year_of_birth else str(row)


class LookupField(AjaxSelectField):
    """One row picked with a :class:`ScopedLookup`. An id the user may not see (another
    unit's, a deleted row) is an error, never silently left empty."""

    def __init__(self, loader, label=None, validators=None, invalid_message=None, **kwargs):
        super().__init__(loader, label, validators, **kwargs)
        self.invalid_message = invalid_message or _l("This choice is not in your unit's list.")
        self._invalid_formdata = False

    def process_formdata(self, valuelist):
        self._invalid_formdata = False
        super().process_formdata(valuelist)

    def _get_data(self):
        # Flask-Admin's field forgets an id it cannot load (its filters then set None):
        # remember that it was given.
        if self._formdata:
            row = self.loader.get_one(self._formdata)
            if row is None:
                self._invalid_formdata = True
            else:
                self._set_data(row)
        return self._data

    data = property(_get_data, AjaxSelectField._set_data)

    def pre_validate(self, form):
        self.data  # noqa: B018 — loading the row is what flags an unknown id
        if self._invalid_formdata:
            raise ValidationError(str(self.invalid_message))
        super().pre_validate(form)


class LookupMultipleField(AjaxSelectMultipleField):
    """Several rows picked with a :class:`ScopedLookup`; as :class:`LookupField`, an id
    the user may not see is an error."""

    def __init__(self, loader, label=None, validators=None, invalid_message=None, **kwargs):
        super().__init__(loader, label, validators, **kwargs)
        self.invalid_message = invalid_message or _l("A choice is not in your unit's list.")

    def process_formdata(self, valuelist):
        self._invalid_formdata = False
        super().process_formdata(valuelist)
        # a browser posts "" for an empty selection: that is no choice, not an unknown one
        self._formdata = {item for item in self._formdata if item.strip()}

    def pre_validate(self, form):
        self.data  # noqa: B018 — loading the rows is what flags unknown ids
        if self._invalid_formdata:
            raise ValidationError(str(self.invalid_message))


class ModelConverter(CustomModelConverter):
    """Flask-Admin's peewee form converter, with the core's widgets: dates as
    :class:`DateField`, foreign keys with a :class:`ScopedLookup` as :class:`LookupField`."""

    def handle_date(self, model, field, **kwargs):
        return field.name, DateField(**kwargs)

    def handle_foreign_key(self, model, field, **kwargs):
        loader = (getattr(self.view, "_form_ajax_refs", None) or {}).get(field.name)
        if isinstance(loader, ScopedLookup):
            if field.null:
                kwargs["allow_blank"] = True
            return field.name, LookupField(loader, **kwargs)
        return super().handle_foreign_key(model, field, **kwargs)


# -- filters ------------------------------------------------------------------------------------
class YearFilter(BasePeeweeFilter, base_filters.BaseIntFilter):
    """Năm: rows whose date (or datetime) column falls in the year typed, or whose year
    column (an integer, e.g. a year of birth) equals it. A range of years, ``2021-2025``
    (both included; what a dashboard link over a period asks), is taken too."""

    RANGE = re.compile(r"^\s*(\d{1,4})\s*[-–]\s*(\d{1,4})\s*$")

    def clean(self, value):
        found = self.RANGE.match(str(value))
        if found is None:
            return int(value)
        start, end = int(found.group(1)), int(found.group(2))
        if end < start or start < 1:
            raise ValueError(value)
        return (start, end)

    def validate(self, value):
        try:
            self.clean(value)
        except (TypeError, ValueError):
            return False
        return True

    def apply(self, query, value):
        start, end = value if isinstance(value, tuple) else (value, value)
        column = self.column
        if isinstance(column, peewee.DateTimeField):
            return query.where(column.between(dt.datetime(start, 1, 1), dt.datetime(end, 12, 31, 23, 59, 59, 999999)))
        if isinstance(column, peewee.DateField):
            return query.where(column.between(dt.date(start, 1, 1), dt.date(end, 12, 31)))
        return query.where(column.between(start, end))

    def operation(self):
        return admin_gettext("equals")


class UnitNames:
    """The units the current user may see, as filter options: read each time the filter
    is drawn (Flask-Admin reads a filter's options once, when the view is built)."""

    def __bool__(self):
        return True

    def __iter__(self):
        if not has_request_context() or not current_user.is_authenticated:
            return iter(())
        units = _scope(Unit.select(Unit.name).order_by(Unit.name), Unit)
        return iter([(name, name) for (name,) in units.tuples()])


class UnitFilter(FilterEqual):
    """Đơn vị: one of the units the user may see, picked from a list."""

    def __init__(self, name=None, **kwargs):
        super().__init__(Unit.name, name or _l("Unit"), options=UnitNames(), **kwargs)


def unit_filters(name=None):
    """The unit filters of a list: a unit picked from the list, and a part of its name.
    The view's query must reach ``Unit`` (a join, or Flask-Admin's own)."""
    return [UnitFilter(name), FilterLike(Unit.name, name or _l("Unit"))]


class Options:
    """Filter options computed each time the list is drawn from ``produce()`` (Flask-Admin
    reads a filter's options once otherwise); none for a visitor not logged in."""

    def __init__(self, produce):
        self.produce = produce

    def __bool__(self):
        return True

    def __iter__(self):
        if not current_user or not current_user.is_authenticated:
            return iter(())
        return iter(self.produce())


def as_id(value):
    """A filter's value as a row id (``-1``, no row, for anything else)."""
    text = str(value).strip()
    return int(text) if text.isdigit() and len(text) < 10 else -1


class IdFilter(BasePeeweeFilter):
    """A foreign key equal to the option picked."""

    def apply(self, query, value):
        return query.where(self.column == as_id(value))

    def operation(self):
        return "là"


# -- list formatters ----------------------------------------------------------------------------
def money_column(view, context, model, name):
    """An amount as '12.500.000'."""
    return vietnamese.format_money(getattr(model, name))


def date_column(view, context, model, name):
    """A date as 'dd/mm/yyyy' (for exports: the lists format dates already)."""
    return vietnamese.format_date(getattr(model, name))


def choice_column(choices):
    """A formatter that shows a coded value by its label (``choices``: ``(code, label)``
    pairs), and nothing for ``None`` (Flask-Admin's ``column_choices`` shows "None")."""
    labels = dict(choices)

    def formatter(view, context, model, name):
        value = getattr(model, name)
        return "" if value is None else labels.get(value, value)

    return formatter


def plain_column(view, context, model, name):
    """A number shown as it is, without a thousands separator: a year, a code."""
    value = getattr(model, name)
    return "" if value is None else str(value)
