"""The ``phoihop`` command line (click). The contract is in DESIGN.md and the README."""
import json
import sys
from contextlib import contextmanager

import click

from core import config as settings
from core.cli_support import RootGroup, State, app_context, fail
from core.errors import ConfigError
from core.plugins import describe, get_plugin_manager


def build_cli(pm):
    """The root command group with the core commands and every plugin's (``phoihop_cli``)."""

    @click.group(cls=RootGroup, context_settings={"help_option_names": ["-h", "--help"]})
    @click.option("--db", "db_url", envvar="PHOIHOP_DATABASE_URL", help="Database URL (default: sqlite:///phoihop.sqlite3).")
    @click.pass_context
    def cli(ctx, db_url):
        """phoihop — the office suite of a provincial LHH."""
        ctx.obj = State(db_url, pm)

    from core.report_output import report_command

    for command in (init, serve, plugins, units, users, demo, report_command):
        cli.add_command(command)
    pm.hook.phoihop_cli(cli=cli)
    return cli


@click.command()
def init():
    """Create or upgrade the database schema."""
    from core.schema import upgrade

    with app_context() as ctx:
        done = upgrade(ctx.app.extensions["phoihop_models"])
    click.echo("; ".join(done) if done else "Cơ sở dữ liệu đã ở phiên bản mới nhất.")


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--production", is_flag=True,
              help="Serve with waitress, behind a reverse proxy that terminates TLS (needs PHOIHOP_SECRET_KEY).")
@click.option("--threads", default=8, show_default=True, type=click.IntRange(1, 256),
              help="Requests served at once (--production).")
def serve(host, port, production, threads):
    """Serve the admin web UI: Flask's development server, or waitress with --production."""
    with app_context() as ctx:
        app = ctx.app
    if production:
        if app.config.get("SECRET_KEY_GENERATED"):
            fail("phoihop serve --production cần PHOIHOP_SECRET_KEY (một chuỗi ngẫu nhiên dài, giữ bí mật).")
        import waitress

        from core.security import proxy_count

        click.echo(f"phoihop: http://{host}:{port}/admin/ (waitress, {threads} luồng)")
        with background(app):
            # Behind PHOIHOP_PROXY_FIX proxies, ProxyFix reads their X-Forwarded-* headers:
            # waitress passes them on; without a proxy it drops them.
            waitress.serve(app, host=host, port=port, threads=threads, ident="phoihop",
                           clear_untrusted_proxy_headers=not proxy_count(app))
        return
    if app.config.get("SECRET_KEY_GENERATED"):
        click.echo("Chú ý: chưa đặt PHOIHOP_SECRET_KEY, phiên đăng nhập mất khi khởi động lại.", err=True)
    click.echo(f"phoihop: http://{host}:{port}/admin/ (máy chủ thử nghiệm; dùng --production khi triển khai)")
    with background(app):
        app.run(host=host, port=port, threaded=True, use_reloader=False)


@contextmanager
def background(app):
    """What the plugins run beside the web server while it serves: started before, asked
    to stop after (each thing started has ``stop(timeout)``)."""
    started = start_background(app)
    try:
        yield started
    finally:
        for thread in started:
            thread.stop(timeout=5)


def start_background(app):
    """Start what the plugins run beside the web server (the sheets' scheduled syncs: one
    thread), registered in ``app.extensions["phoihop_background"]``; serve only. Returns
    the threads started."""
    started = []
    for start in app.extensions.get("phoihop_background", []):
        thread = start(app)
        if thread is not None:
            click.echo(f"phoihop: chạy nền {thread.name}", err=True)
            started.append(thread)
    return started


@click.group(invoke_without_command=True)
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.pass_context
def plugins(ctx, as_json):
    """List the loaded plugins with their bindings, models and versions."""
    from core.registry import hook_results

    if ctx.invoked_subcommand is not None:
        return
    state = ctx.find_object(State)
    rows = describe(state.pm)
    models, bindings = {}, {}
    for name, result in hook_results(state.pm, "phoihop_models"):
        models.setdefault(name, []).extend(m._meta.table_name for m in result or [])
    for name, result in hook_results(state.pm, "phoihop_sheet_bindings"):
        bindings.setdefault(name, []).extend(b.name for b in result or [])
    for row in rows:
        row["models"] = sorted(models.get(row["name"], []))
        row["bindings"] = sorted(bindings.get(row["name"], []))
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    if not rows:
        click.echo("Không có plugin nào.")
    for row in rows:
        if row["status"] == "failed":
            click.echo(f"{row['name']} ({row['source']}): LỖI — {row['error']}")
            continue
        click.echo(f"{row['name']} {row['version'] or ''} ({row['source']})")
        click.echo(f"  hooks: {', '.join(row['hooks']) or '—'}")
        click.echo(f"  models: {', '.join(row['models']) or '—'}; bindings: {', '.join(row['bindings']) or '—'}")


@plugins.command("new")
@click.argument("name")
@click.option("--dir", "directory", type=click.Path(file_okay=False),
              help="Where to write the package (default: ./phoihop-NAME); must not exist or be empty.")
@click.pass_obj
def plugins_new(state, name, directory):
    """Write a new plugin package that passes its own tests."""
    from core.scaffold import new_plugin

    names, directory, written = new_plugin(name, directory, pm=state.pm)
    click.echo(f"Đã tạo plugin {names.name} ({names.module}) trong {directory}: {len(written)} tệp.")
    click.echo(f"Tiếp theo:  pip install -e {directory}  &&  pytest {directory}")


@plugins.command("check")
def plugins_check():
    """Check every installed plugin against the plugin contract (docs/CONTRACT.md); exit 1 when any problem."""
    from core.contract import CONTRACT_VERSION, check_plugins

    conf = settings.plugin_settings()
    reports = check_plugins(plugins=conf.get("PLUGINS", []), disabled=conf.get("DISABLED_PLUGINS", []))
    if not reports:
        click.echo("Không có plugin nào ngoài các plugin có sẵn.")
    for report in reports:
        verdict = f"{len(report.problems)} vấn đề" if report.problems else "không có vấn đề"
        click.echo(f"{report.name} ({report.source}): hợp đồng {report.contract or '?'} "
                   f"(phoihop: {CONTRACT_VERSION}) — {verdict}")
        for problem in report.problems:
            click.echo(f"{report.name}: {problem}")
    if any(report.problems for report in reports):
        sys.exit(1)


@click.group()
def units():
    """Reporting units (one LHH each)."""


@units.command("add")
@click.argument("name")
@click.option("--code", help="Short code, e.g. BG.")
def units_add(name, code):
    """Register a reporting unit."""
    from core.models import Unit

    name = " ".join(name.split())
    if not name:
        fail("Tên đơn vị không được để trống.")
    with app_context():
        if Unit.get_or_none(Unit.name == name):
            fail(f"Đơn vị {name!r} đã có.")
        if code and Unit.get_or_none(Unit.code == code):
            fail(f"Mã đơn vị {code!r} đã được dùng.")
        unit = Unit.create(name=name, code=code or None)
    click.echo(f"Đã thêm đơn vị {unit.name} (id {unit.id}).")


@click.group()
def users():
    """People who log in to the admin."""


@users.command("add")
@click.argument("email")
@click.option("--role", required=True, type=click.Choice(["admin", "editor", "viewer"]))
@click.option("--unit", "unit_name", help="Limit the user to this unit's records.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def users_add(email, role, unit_name, password_stdin):
    """Add a user."""
    from core.models import find_unit
    from core.users import create_user

    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Mật khẩu", hide_input=True, confirmation_prompt=True)
    with app_context():
        unit = None
        if unit_name:
            unit = find_unit(unit_name)
            if unit is None:
                fail(f"Không có đơn vị {unit_name!r}. Thêm bằng: phoihop units add {unit_name!r}")
        user = create_user(email, password, role, unit)
    click.echo(f"Đã thêm người dùng {user.email} ({user.role}{', ' + unit.name if unit else ''}).")


@click.command()
@click.option("--dir", "directory", default="demo", show_default=True, type=click.Path(file_okay=False))
@click.option("--force", is_flag=True, help="Replace an existing demo in DIR.")
@click.pass_obj
def demo(state, directory, force):
    """Build a ready demo site: a SQLite database and one workbook per binding."""
    from core.demo import build_demo

    site = build_demo(directory, state.pm, force=force)
    click.echo(f"Demo: {site.directory}")
    click.echo(f"  cơ sở dữ liệu: {site.database_url}")
    for path, result in zip(site.workbooks, site.results):
        click.echo(f"  bảng tính: {path} ({result.created} dòng đã đồng bộ)")
    click.echo(f"Chạy:  PHOIHOP_CONFIG={site.config_file} phoihop serve")
    click.echo("Mở:    http://127.0.0.1:5000/admin/")
    click.echo(f"Đăng nhập: {site.email} / {site.password}")


def asks_for_check(args):
    """Whether the command line is ``phoihop [options] plugins check``."""
    args = [a for a in args if not a.startswith("-")]
    return any(args[i:i + 2] == ["plugins", "check"] for i in range(len(args)))


def main(argv=None):
    """Entry point of the ``phoihop`` console script."""
    try:
        conf = settings.plugin_settings()
        pm = get_plugin_manager(
            plugins=conf.get("PLUGINS", []),
            disabled=conf.get("DISABLED_PLUGINS", []),
            trace=conf.get("TRACE_PLUGINS", False),
        )
        cli = build_cli(pm)
    except ConfigError as exc:
        click.echo(f"Lỗi: {exc}", err=True)
        if not asks_for_check(sys.argv[1:] if argv is None else argv):
            sys.exit(2)
        # ``plugins check`` reads the plugins itself: it runs on the built-ins alone
        cli = build_cli(get_plugin_manager(entry_points=False))
    cli.main(args=argv, prog_name="phoihop", standalone_mode=True)


if __name__ == "__main__":
    main()
