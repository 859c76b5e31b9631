-- ISO 4217: active codes and their minor units.
SELECT code, o2c.currency_valid(code) AS valid,
       CASE WHEN o2c.currency_valid(code) AND code NOT IN ('XAU') THEN o2c.currency_minor_units(code) END AS minor_units
FROM unnest(ARRAY['EUR', 'usd', ' JPY ', 'KWD', 'CLF', 'XAU', 'XCG', 'HRK', 'EURO', '']) AS code;
