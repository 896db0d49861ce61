"""Settings of a server started by the live tests (and the benchmark): sciport's own, plus the test sink target."""

from sciport.settings import *  # noqa: F403
from sciport.settings import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "sciport.uploads.tests.sink_app.SinkConfig"]
