"""Creating users, with the checks the CLI and the demo share."""
import re

from core.errors import ConfigError
from core.models import ROLES, User

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MIN_PASSWORD = 8


def create_user(email, password, role, unit=None):
    """Create a user or raise ConfigError saying what is wrong (nothing is saved then)."""
    email = (email or "").strip().lower()
    if not EMAIL.match(email):
        raise ConfigError(f"Địa chỉ thư điện tử không hợp lệ: {email!r}")
    if role not in ROLES:
        raise ConfigError(f"Vai trò {role!r} không có; chọn một trong: {', '.join(ROLES)}")
    if len(password or "") < MIN_PASSWORD:
        raise ConfigError(f"Mật khẩu phải có ít nhất {MIN_PASSWORD} ký tự.")
    if User.get_or_none(User.email == email):
        raise ConfigError(f"Người dùng {email} đã có.")
    user = User(email=email, role=role, unit=unit)
    user.set_password(password)
    user.save()
    return user
