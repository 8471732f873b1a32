"""The only places the suite reaches into pytest's, Hypothesis' and xdist's private APIs, each where no public
one exists (tests/test_private_apis.py fails loudly when one changes):

* :mod:`.pytest_api`: the exception ``pytest.fail`` raises, as a typed class to subclass; the
  longrepr classes a failure block is built from; pytest's terminal writer; the short rendering
  of a failure with pytest's and Hypothesis' frames pruned;
* :mod:`.hypothesis_api`: the bound on the time Hypothesis spends shrinking one failure;
* :mod:`.xdist_api`: the process id of an xdist worker, on its controller.
"""
