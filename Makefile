# o2c — PGXS build. `make && make install`, `make installcheck`, `make bench`.
EXTENSION  = o2c
EXTVERSION = $(shell sed -n "s/^default_version = '\(.*\)'/\1/p" $(EXTENSION).control)

MODULE_big = o2c
OBJS       = $(patsubst %.c,%.o,$(sort $(wildcard src/*.c)))

# The install script is built from each concern's declarations; src/o2c.sql
# (shared types and settings) comes first, the rest in name order, and
# src/privileges.sql (roles and grants over everything) last.
SQL_PARTS  = src/o2c.sql \
             $(filter-out src/o2c.sql src/privileges.sql,$(sort $(wildcard src/*.sql))) \
             src/privileges.sql
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

# camt.053 (src/camt.c) parses XML with libxml2.
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

$(OBJS): $(wildcard src/*.h)

.PHONY: bench demo check-all
bench:
	bash scripts/run.sh bench
