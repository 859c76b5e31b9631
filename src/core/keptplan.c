/*
 * keptplan.c — SPI plans kept by text (keptplan.h).
 *
 * A backend keeps a few dozen at most: the texts are generated from a
 * trigger's or a source's configuration, so each caller has a handful.
 */
#include "postgres.h"

#include "core/keptplan.h"

#include "common/hashfn.h"
#include "utils/memutils.h"

typedef struct KeptPlan
{
	Oid			owner;
	int			cursor_options;
	uint32		hash;			/* of the text */
	char	   *sql;
	int			nparams;
	Oid		   *types;
	SPIPlanPtr	plan;
} KeptPlan;

static KeptPlan kept[O2C_KEPT_PLANS];
static int	nkept = 0;
static MemoryContext kept_cxt = NULL;

static void
kept_forget(void)
{
	for (int i = 0; i < nkept; i++)
		SPI_freeplan(kept[i].plan);
	nkept = 0;
	MemoryContextReset(kept_cxt);
}

SPIPlanPtr
o2c_kept_plan(Oid owner, const char *sql, int nparams, Oid *types, int cursor_options)
{
	uint32		hash = hash_bytes((const unsigned char *) sql, strlen(sql));
	SPIPlanPtr	plan;
	KeptPlan   *k;

	for (int i = 0; i < nkept; i++)
		if (kept[i].owner == owner && kept[i].hash == hash && kept[i].cursor_options == cursor_options &&
			kept[i].nparams == nparams && memcmp(kept[i].types, types, nparams * sizeof(Oid)) == 0 &&
			strcmp(kept[i].sql, sql) == 0)
			return kept[i].plan;
	if (kept_cxt == NULL)
		kept_cxt = AllocSetContextCreate(TopMemoryContext, "o2c kept plans", ALLOCSET_SMALL_SIZES);
	if (nkept == O2C_KEPT_PLANS)
		kept_forget();
	plan = SPI_prepare_cursor(sql, nparams, types, cursor_options);
	if (plan == NULL)
		elog(ERROR, "SPI_prepare_cursor failed: %s", SPI_result_code_string(SPI_result));
	if (SPI_keepplan(plan) != 0)
		elog(ERROR, "SPI_keepplan failed");
	k = &kept[nkept++];
	k->owner = owner;
	k->cursor_options = cursor_options;
	k->hash = hash;
	k->sql = MemoryContextStrdup(kept_cxt, sql);
	k->nparams = nparams;
	k->types = MemoryContextAlloc(kept_cxt, Max(nparams, 1) * sizeof(Oid));
	memcpy(k->types, types, nparams * sizeof(Oid));
	k->plan = plan;
	return plan;
}
