/*
 * terms_unit.c — standalone tests of the payment terms core (src/terms/terms.c):
 * fixed cases, canonical round trips, the civil-date helpers, and a seeded
 * random-token stress run (no crash, anything accepted reprints and reparses
 * to the same parts). Built and run by test/unit/terms.sh.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "terms/terms.h"

static int	failures = 0;

#define CHECK(cond, ...) \
	do { if (!(cond)) { failures++; fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__); \
		fprintf(stderr, __VA_ARGS__); fputc('\n', stderr); } } while (0)

typedef struct Case
{
	const char *input;
	const char *canonical;		/* NULL: an error of kind `kind` */
	O2cErrKind	kind;
} Case;

static const Case cases[] = {
	{"net 30", "NET 30", O2C_OK},
	{"\tNet\n 30  EOM ", "NET 30 EOM", O2C_OK},
	{"2/10 net 30", "2/10 NET 30", O2C_OK},
	{"2% 10 net 30", "2/10 NET 30", O2C_OK},
	{"1.50/10 NET 30", "1.5/10 NET 30", O2C_OK},
	{"0.05/0 NET 0", "0.05/0 NET 0", O2C_OK},
	{"99.99/999 NET 999 EOM", "99.99/999 NET 999 EOM", O2C_OK},
	{"31 prox", "31 PROX", O2C_OK},
	{"COD", "NET 0", O2C_OK},
	{"due on receipt", "NET 0", O2C_OK},
	{"100% net 30", "NET 30", O2C_OK},
	{"40% net 0; 60% net 30 eom", "40% NET 0; 60% NET 30 EOM", O2C_OK},
	{"50% 2% 10 net 30;50% 15 prox", "50% 2/10 NET 30; 50% 15 PROX", O2C_OK},
	{"", NULL, O2C_ERR_SYNTAX},
	{"net", NULL, O2C_ERR_SYNTAX},
	{"net -1", NULL, O2C_ERR_SYNTAX},
	{"net 30;", NULL, O2C_ERR_SYNTAX},
	{"net 30.", NULL, O2C_ERR_SYNTAX},
	{"net 30.5", NULL, O2C_ERR_SYNTAX},
	{"2/10 prox", NULL, O2C_ERR_SYNTAX},
	{"40% net 0; net 30", NULL, O2C_ERR_SYNTAX},
	{"netto 30", NULL, O2C_ERR_SYNTAX},
	{"net 30 \xc3\xa9", NULL, O2C_ERR_SYNTAX},
	{"net 1000", NULL, O2C_ERR_VALUE},
	{"net 99999999999999999999999999", NULL, O2C_ERR_VALUE},
	{"2/31 net 30", NULL, O2C_ERR_VALUE},
	{"100/10 net 30", NULL, O2C_ERR_VALUE},
	{"0/10 net 30", NULL, O2C_ERR_VALUE},
	{"1.001/10 net 30", NULL, O2C_ERR_VALUE},
	{"0 prox", NULL, O2C_ERR_VALUE},
	{"32 prox", NULL, O2C_ERR_VALUE},
	{"50% net 30", NULL, O2C_ERR_VALUE},
	{"60% net 0; 60% net 30", NULL, O2C_ERR_VALUE},
};

static void
test_cases(void)
{
	size_t		i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
	{
		O2cTermPart parts[O2C_TERMS_MAX_PARTS];
		O2cError	err;
		char		buf[O2C_TERMS_TEXT_MAX];
		int			n;

		memset(&err, 0, sizeof(err));
		n = o2c_terms_parse(cases[i].input, strlen(cases[i].input), parts, &err);
		if (cases[i].canonical == NULL)
		{
			CHECK(n == 0 && err.kind == cases[i].kind, "\"%s\": expected error %d, got n=%d kind=%d (%s)",
				  cases[i].input, cases[i].kind, n, err.kind, err.message);
			continue;
		}
		CHECK(n > 0, "\"%s\": %s", cases[i].input, err.message);
		if (n > 0)
		{
			o2c_terms_print(parts, n, buf);
			CHECK(strcmp(buf, cases[i].canonical) == 0, "\"%s\" printed \"%s\", expected \"%s\"",
				  cases[i].input, buf, cases[i].canonical);
		}
	}
}

static void
test_dates(void)
{
	int32_t		d;

	CHECK(o2c_days_from_civil(2000, 1, 1) == 0, "epoch");
	CHECK(o2c_days_from_civil(2024, 2, 29) == 8825, "2024-02-29");
	CHECK(o2c_days_from_civil(1999, 12, 31) == -1, "1999-12-31");
	for (d = -800000; d <= 800000; d += 7)
	{
		int			y,
					m,
					day;

		o2c_civil_from_days(d, &y, &m, &day);
		CHECK(m >= 1 && m <= 12 && day >= 1 && day <= o2c_days_in_month(y, m), "day %d", d);
		CHECK(o2c_days_from_civil(y, m, day) == d, "round trip of day %d", d);
	}
	/* Month steps clamp to month ends: Jan 31 -> Feb 29 (2024) -> Mar 31. */
	d = o2c_days_from_civil(2024, 1, 31);
	CHECK(o2c_add_months(d, 1) == o2c_days_from_civil(2024, 2, 29), "Jan 31 + 1 month");
	CHECK(o2c_add_months(d, 2) == o2c_days_from_civil(2024, 3, 31), "Jan 31 + 2 months");
	CHECK(o2c_add_months(d, -2) == o2c_days_from_civil(2023, 11, 30), "Jan 31 - 2 months");
	CHECK(o2c_add_months(d, 13) == o2c_days_from_civil(2025, 2, 28), "Jan 31 + 13 months");
}

/* xorshift: deterministic across platforms. */
static uint32_t rng = 2463534242u;

static uint32_t
next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 17;
	rng ^= rng << 5;
	return rng;
}

static void
test_stress(int rounds)
{
	static const char *const pieces[] = {
		"NET", "net", "EOM", "PROX", "COD", "DUE", "ON", "RECEIPT", "%", "/", ";", " ",
		"  ", "0", "1", "2", "10", "15", "30", "31", "50", "60", "99", "100", "999",
		"1000", "1.5", "2.25", "0.001", ".", "x", "\t", "33.33", "\xff"
	};
	int			r;
	int			accepted = 0;

	for (r = 0; r < rounds; r++)
	{
		char		text[256];
		size_t		len = 0;
		int			k,
					npieces = 1 + (int) (next_rand() % 12);
		O2cTermPart parts[O2C_TERMS_MAX_PARTS];
		O2cTermPart again[O2C_TERMS_MAX_PARTS];
		O2cError	err;
		char		buf[O2C_TERMS_TEXT_MAX];
		int			n,
					m;

		for (k = 0; k < npieces; k++)
		{
			const char *p = pieces[next_rand() % (sizeof(pieces) / sizeof(pieces[0]))];
			size_t		pl = strlen(p);

			if (len + pl + 1 >= sizeof(text))
				break;
			memcpy(text + len, p, pl);
			len += pl;
			if (next_rand() % 2)
				text[len++] = ' ';
		}
		memset(&err, 0, sizeof(err));
		n = o2c_terms_parse(text, len, parts, &err);
		if (n == 0)
		{
			CHECK(err.kind == O2C_ERR_SYNTAX || err.kind == O2C_ERR_VALUE, "error kind %d", err.kind);
			continue;
		}
		accepted++;
		o2c_terms_print(parts, n, buf);
		memset(&err, 0, sizeof(err));
		m = o2c_terms_parse(buf, strlen(buf), again, &err);
		CHECK(m == n && o2c_terms_cmp(parts, n, again, m) == 0, "\"%.*s\" -> \"%s\" does not reparse equally",
			  (int) len, text, buf);
		for (k = 0; k < n; k++)
			CHECK(o2c_terms_part_valid(&parts[k], &err), "part %d of \"%s\" invalid", k, buf);
	}
	CHECK(accepted > 0, "stress run accepted nothing");
	printf("stress: %d inputs, %d accepted\n", rounds, accepted);
}

int
main(int argc, char **argv)
{
	test_cases();
	test_dates();
	test_stress(argc > 1 ? atoi(argv[1]) : 200000);
	if (failures > 0)
	{
		printf("terms_unit: %d failures\n", failures);
		return 1;
	}
	printf("terms_unit: ok\n");
	return 0;
}
