from __future__ import annotations

from django.contrib.auth.models import AbstractUser


class User(AbstractUser):
    """A login. What the person may do comes from the positions their Employee record holds."""

    class Meta:
        db_table = "accounts_user"
