# The demo, included by the Makefile. `make run` installs what is missing,
# builds, fetches the State of the Union addresses into var/corpus/sotu,
# indexes them with corpus/ into var/index, starts attached in the
# background and runs a few searches (tools/run.sh); running it again
# updates the index and reuses the daemon. `make stop` stops the daemon
# (tools/stop.sh).

.PHONY: run stop

# $(MAKE) in the recipe: the build inside run.sh is a sub-make that shares
# this make's flags and job slots (make -j8 run).
run:
	@MAKE='$(MAKE)' tools/run.sh

stop:
	@tools/stop.sh
