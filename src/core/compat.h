/*
 * compat.h — the one place that looks at PG_VERSION_NUM: o2c builds against
 * PostgreSQL 15 to 18.
 */
#ifndef O2C_COMPAT_H
#define O2C_COMPAT_H

#include "postgres.h"

#if PG_VERSION_NUM < 150000
#error "o2c needs PostgreSQL 15 or later"
#endif

/* The varlena macros (VARDATA_ANY, ...) left postgres.h in 16. */
#if PG_VERSION_NUM >= 160000
#include "varatt.h"
#endif

/* The exact-sum fast path keeps totals in a 128-bit integer. */
#ifndef HAVE_INT128
#error "o2c needs a compiler with a 128-bit integer type"
#endif

/*
 * A function that never returns: 18 replaced pg_attribute_noreturn(), which
 * follows the declaration, with pg_noreturn, which precedes it.
 */
#if PG_VERSION_NUM >= 180000
#define O2C_NORETURN_BEFORE pg_noreturn
#define O2C_NORETURN_AFTER
#else
#define O2C_NORETURN_BEFORE
#define O2C_NORETURN_AFTER pg_attribute_noreturn()
#endif

/* This backend's local transaction id: 17 moved it into PGPROC.vxid. */
#if PG_VERSION_NUM >= 170000
#define O2C_MY_LXID() (MyProc->vxid.lxid)
#else
#define O2C_MY_LXID() (MyProc->lxid)
#endif

/* A table's primary key index (not a deferrable one): 18 added the choice. */
#if PG_VERSION_NUM >= 180000
#define O2C_PRIMARY_KEY_INDEX(rel) RelationGetPrimaryKeyIndex((rel), false)
#else
#define O2C_PRIMARY_KEY_INDEX(rel) RelationGetPrimaryKeyIndex(rel)
#endif

/* Privileges on a function: 16 folded pg_proc_aclcheck into object_aclcheck (utils/acl.h, catalog/pg_proc.h). */
#if PG_VERSION_NUM >= 160000
#define O2C_PROC_ACLCHECK(fn, role, mode) object_aclcheck(ProcedureRelationId, (fn), (role), (mode))
#else
#define O2C_PROC_ACLCHECK(fn, role, mode) pg_proc_aclcheck((fn), (role), (mode))
#endif

#endif							/* O2C_COMPAT_H */
