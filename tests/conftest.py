"""Shared test configuration: where ``../shared/data`` lives and how tests skip without it."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("SIAMRPN_SHARED_DATA", REPO.parent / "shared" / "data"))


#: test modules that run a tracker, a trainer, the benchmark runner, a report with figures, a subprocess or an
#: external toolkit: marked ``slow``, so ``pytest -m "not slow"`` is the quick subset (README, "Run the tests")
SLOW_MODULES = frozenset({
    # the benchmark runner, protocols and multi-start runs end to end
    "test_batched_runner", "test_runner", "test_runner_records", "test_runner_supervised", "test_runner_cli",
    "test_runner_resume_frames", "test_runner_lock", "test_runner_signals", "test_runner_diskfull",
    "test_runner_cluster", "test_multistart_runner", "test_multistart_stacks", "test_protocol_baseline",
    "test_protocol_realtime", "test_protocol_one_pass",
    # networks: SiamRPN / pysot / NanoTrack / OpenCV trackers over frames, fast backends, the track command
    "test_tracker_lite0", "test_tracker_siamrpn", "test_tracker_fast", "test_tracker_batched", "test_engines_dw",
    "test_pysot_dwxcorr", "test_tracker_weights", "test_tracker_cli", "test_track_inputs", "test_diagnosis_trackers",
    "test_opencv_baselines", "test_trax_server",
    # training
    "test_training_loop", "test_training_reuse", "test_training_mining", "test_training_data",
    "test_training_cutouts",
    # reports and figures, the main job, the regression gate, tuning, packaging, vot-toolkit / got10k
    "test_report", "test_report_benchmarks", "test_plots", "test_multi_tracker", "test_multi_tracker_report",
    "test_like_for_like", "test_main_job", "test_regression_gate", "test_regression_reference", "test_tune",
    "test_package_install", "test_package_data", "test_vot_toolkit_e2e", "test_vot_toolkit_multistart",
    "test_vot_toolkit_compare", "test_vot_toolkit_replay", "test_got10k_adapter",
})


def pytest_collection_modifyitems(config, items):
    """Mark every test of :data:`SLOW_MODULES` ``slow`` (the quick subset is ``-m "not slow"``)."""
    for item in items:
        if item.path.stem in SLOW_MODULES:
            item.add_marker(pytest.mark.slow)


def shared_path(*parts: str) -> Path:
    """Path under ``../shared/data``; skips the calling test with a clear message when absent."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"third-party data not available: {path} (tests read ../shared/data; see README)")
    return path


@pytest.fixture
def shared():
    """Fixture form of :func:`shared_path`."""
    return shared_path
