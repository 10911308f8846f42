"""ringkas's benchmarks: engine comparisons on random-weight models with real architectures.

An importable package of the repository (not of the installed library): ``benchmarks`` imports
``ringkas``, never the other way round. Run from the repository root, e.g.
``python -m benchmarks.suite --tiny`` or ``python benchmarks/run_cpu.py``; see README.md here.

==================  ==========================================================================
``models``          benchmark models (recipes, builders, cache) and their input text
``engines``         the engines under test: naive loop, HF ``generate``, ringkas, raw CT2
``comparison``      workloads, engine comparisons, batch and length sweeps, quantization quality
``streams``         peak memory of a stream of articles, in fresh processes
``suite``           :class:`SuiteSettings`, :func:`run_suite`, the targets, the command line
``report``          Markdown tables, plot and files
==================  ==========================================================================
"""
