# o2c — PGXS build. `make && make install`, `make installcheck`, `make bench`.
EXTENSION  = o2c
EXTVERSION = $(shell sed -n "s/^default_version = '\(.*\)'/\1/p" $(EXTENSION).control)

# The concerns under src/, one folder each, from the bottom layer up: a
# folder may use the ones before it, never one after it (scripts/layers.sh
# checks the #include lines). Sources and SQL parts are found in the folders.
LAYERS     = core calendar terms fx aging ledger quality matching bank risk collect credit forecast jobs

MODULE_big = o2c
OBJS       = $(foreach l,$(LAYERS),$(patsubst %.c,%.o,$(sort $(wildcard src/$(l)/*.c))))

# The install script is built from each concern's declarations, layer by
# layer and in name order inside a folder; src/core/o2c.sql (shared types and
# settings) comes first and src/jobs/privileges.sql (roles and grants over
# everything) last.
SQL_FIRST  = src/core/o2c.sql
SQL_LAST   = src/jobs/privileges.sql
SQL_PARTS  = $(SQL_FIRST) \
             $(filter-out $(SQL_FIRST) $(SQL_LAST),$(foreach l,$(LAYERS),$(sort $(wildcard src/$(l)/*.sql)))) \
             $(SQL_LAST)
DATA_built = $(EXTENSION)--$(EXTVERSION).sql

REGRESS      = $(patsubst sql/%.sql,%,$(sort $(wildcard sql/*.sql)))
REGRESS_OPTS = --load-extension=$(EXTENSION)

EXTRA_CLEAN = results regression.diffs regression.out

# The warning set CI builds with; WERROR=1 (the test command sets it) makes
# warnings fatal.
PG_CFLAGS += -Wall -Wextra -Wno-unused-parameter -Wno-sign-compare -Wno-missing-field-initializers
ifeq ($(WERROR),1)
PG_CFLAGS += -Werror
endif

# Headers are named by folder, as in #include "core/o2c.h".
PG_CPPFLAGS += -I$(srcdir)/src

# camt.053 (src/bank/camt.c) parses XML with libxml2.
PG_CPPFLAGS += $(shell xml2-config --cflags)
SHLIB_LINK  += $(shell xml2-config --libs)

# No LLVM bitcode: the build then needs no clang, and o2c's hot paths are
# aggregate transitions that JIT inlining would not reach anyway.
override with_llvm = no

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

$(DATA_built): $(SQL_PARTS) $(EXTENSION).control
	cat $(SQL_PARTS) > $@

$(OBJS): $(wildcard src/*/*.h)

.PHONY: bench demo check-all
bench:
	bash scripts/run.sh bench
