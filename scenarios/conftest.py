# SPDX-License-Identifier: BSD-2-Clause
"""Scenario suite fixtures.

One backend per pytest run (--backend, else $NMTB_BACKEND, else sim).
Every scenario gets it through the `nm` fixture, which tears the whole
netmap instance down afterwards and fails the scenario if a kernel object
was leaked: scenarios are isolated, and leaks cannot hide."""
import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import nmtb  # noqa: E402

SMALL_POOLS = {"buf_num": 16384}


def pytest_addoption(parser):
    parser.addoption("--backend", default=None,
                     help="nmtb backend: sim (default) or qemu")


def pytest_configure(config):
    name = config.getoption("--backend") or os.environ.get(
        "NMTB_BACKEND") or "sim"
    try:
        config._nmtb = nmtb.backend(name)
    except nmtb.BackendUnavailable as e:
        raise pytest.UsageError("nmtb: %s" % e)
    except OSError as e:
        raise pytest.UsageError("nmtb: cannot load the %s backend: %s"
                                % (name, e))


@pytest.fixture
def nm(request):
    be = request.config._nmtb
    for k, v in SMALL_POOLS.items():
        be.param_set(k, v)
    yield be
    leaked = be.reset()
    assert leaked == 0, "%d kernel objects leaked" % leaked
