"""planqa's composition root: the stages (corpus → retrieval → assistant → ui/evals) wired into
the `planqa` command line (planqa.cli). Nothing in the stages imports this package."""
