"""Run trackers over datasets under a protocol: parallel workers, atomic writes, resume, crash isolation.

The unit of work is one (tracker, experiment, sequence). A worker builds the tracker from its
:class:`TrackerSpec` (so nothing unpicklable crosses process boundaries; ``spawn``-safe), runs the protocol,
writes every result file atomically and finally a completion record. A rerun skips units whose record is
valid: same tracker spec, same weights bytes (SHA-256), same experiment settings, same sequence ground truth
and frame list (:attr:`~integration.data.sequences.Sequence.fingerprint`), and every result file unchanged (its
SHA-256 is stored); any other record is reported (``note: redoing ...``) and its unit redone. Record names
escape the sequence name (:func:`marker_name`), so distinct sequences never share one. A unit that raises is
logged with its traceback in ``<out>/_runner/<tracker>/<experiment>/<seq>.error.txt`` and the other units
continue. With ``workers >= 1`` each unit runs in a supervised process: a tracker that crashes the process
(segfault, ``os._exit``), exceeds the unit timeout or makes no progress for the frame timeout (hangs on one
frame) fails that unit alone, named with the signal or exit code, or the timeout (and the frame it was stuck
on). The run ends with a :class:`RunSummary` (also written as ``summary.json`` next to the records).

Result layouts (readable by ``siamrpn analyze`` and the reference toolkits):

* ``baseline`` / ``realtime`` (LEG/PST text): ``<out>/<tracker>/<exp>/<seq>/<seq>_001.txt`` ... and
  ``<seq>_time.txt`` (frames x repetitions; unrun repetitions 0, as LEG); ``layout="pyt"`` writes the
  vot-toolkit form instead (``<seq>_001.bin`` + ``<seq>_001_time.value``). Real-time also writes
  ``<seq>_realtime.json`` (processed / held / skipped frames, latency p50/p95/max).
* ``otb`` (G10/OTB): ``<out>/<tracker>/<seq>.txt`` (row 0 = initial box), ``<out>/<tracker>/times/<seq>_time.txt``.
* ``got10k`` (G10): ``<out>/<tracker>/<seq>/<seq>_001.txt`` .. ``_003.txt`` and ``<seq>_time.txt``.
* ``multistart`` / ``multistart-realtime`` (VOT2020-2022, vot-toolkit's layout and folder names):
  ``<out>/<tracker>/baseline|realtime/<seq>/<seq>_<anchor:08d>.bin`` (``.txt`` with ``layout="leg"``) and
  ``<seq>_<anchor:08d>_time.value``, one run per anchor (:mod:`integration.protocols.multistart`);
  ``unsupervised``: ``<out>/<tracker>/unsupervised/<seq>/<seq>_001.bin`` + ``_time.value``.

The experiments and every result path and file name are one table and one module
(:mod:`analysis.io.result_layout`, shared with the readers of :mod:`analysis.io`); how each runs is
:data:`integration.run.execute.PROTOCOLS`.

``run_experiment(..., batch_size=N)`` runs SiamRPN's baseline/OTB/GOT-10k units through
:mod:`integration.run.batched` (many sequences per forward, same files and records)."""
