-- calendar: business calendars and their holidays, business-day arithmetic
-- and QuantLib's date-roll conventions (calendar.c)

CREATE TABLE @extschema@.calendar (
    name       text PRIMARY KEY,
    weekend    smallint[] NOT NULL DEFAULT '{6,7}',
    convention text NOT NULL DEFAULT 'following',
    CONSTRAINT calendar_weekend_check
        CHECK (weekend OPERATOR(pg_catalog.<@) '{1,2,3,4,5,6,7}'::smallint[]
               AND pg_catalog.array_position(weekend, NULL) IS NULL),
    CONSTRAINT calendar_convention_check
        CHECK (convention OPERATOR(pg_catalog.=) ANY
               ('{unadjusted,following,modified_following,preceding,modified_preceding}'::text[]))
);
COMMENT ON TABLE @extschema@.calendar IS
    'business calendars: weekend days as ISO day numbers (1 = Monday ... 7 = Sunday) and the convention due dates are moved by';

CREATE TABLE @extschema@.holiday (
    calendar text NOT NULL,
    day      date NOT NULL,
    name     text,
    PRIMARY KEY (calendar, day)
);
COMMENT ON TABLE @extschema@.holiday IS
    'non-business days of a calendar besides its weekend days';

-- holiday.calendar refers to calendar.name (on update and delete cascade),
-- kept by triggers rather than a foreign key, so pg_restore -j may load the
-- two tables in either order (see reference.sql).
CREATE TRIGGER holiday_calendar_check AFTER INSERT ON @extschema@.holiday
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION @extschema@.reference_check('calendar', '@extschema@.calendar', 'name');
CREATE TRIGGER holiday_calendar_check_update AFTER UPDATE OF calendar ON @extschema@.holiday
    FOR EACH ROW WHEN (NEW.calendar IS DISTINCT FROM OLD.calendar)
    EXECUTE FUNCTION @extschema@.reference_check('calendar', '@extschema@.calendar', 'name');
CREATE TRIGGER holiday_calendar_delete AFTER DELETE ON @extschema@.calendar
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT
    EXECUTE FUNCTION @extschema@.reference_action('name', '@extschema@.holiday', 'calendar', 'cascade');
CREATE TRIGGER holiday_calendar_truncate AFTER TRUNCATE ON @extschema@.calendar
    FOR EACH STATEMENT
    EXECUTE FUNCTION @extschema@.reference_action('name', '@extschema@.holiday', 'calendar', 'cascade');
CREATE TRIGGER holiday_calendar_rename AFTER UPDATE OF name ON @extschema@.calendar
    FOR EACH ROW WHEN (NEW.name IS DISTINCT FROM OLD.name)
    EXECUTE FUNCTION @extschema@.reference_action('name', '@extschema@.holiday', 'calendar', 'cascade');

-- Calendar functions read these tables with the caller's rights.
GRANT SELECT ON @extschema@.calendar, @extschema@.holiday TO PUBLIC;

SELECT pg_catalog.pg_extension_config_dump('@extschema@.calendar', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.holiday', '');

CREATE FUNCTION @extschema@.calendar_changed()
RETURNS trigger
AS 'MODULE_PATHNAME', 'o2c_calendar_changed'
LANGUAGE C;
COMMENT ON FUNCTION @extschema@.calendar_changed() IS
    'statement trigger on o2c.calendar and o2c.holiday: invalidates the calendar caches of every session';

CREATE TRIGGER calendar_changed
AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON @extschema@.calendar
FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.calendar_changed();

CREATE TRIGGER holiday_changed
AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON @extschema@.holiday
FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.calendar_changed();

CREATE FUNCTION @extschema@.is_business_day(day date, calendar text)
RETURNS boolean
AS 'MODULE_PATHNAME', 'o2c_is_business_day_sql'
LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.is_business_day(date, text) IS
    'true unless the day is a weekend day or a holiday of the calendar';

CREATE FUNCTION @extschema@.add_business_days(day date, n integer, calendar text)
RETURNS date
AS 'MODULE_PATHNAME', 'o2c_add_business_days'
LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.add_business_days(date, integer, text) IS
    'the date n business days after (n < 0: before) day, counting from day itself as WORKDAY does; n = 0 rolls day forward to a business day';

CREATE FUNCTION @extschema@.adjust(day date, calendar text, convention text DEFAULT 'following')
RETURNS date
AS 'MODULE_PATHNAME', 'o2c_adjust_sql'
LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.adjust(date, text, text) IS
    'day moved to a business day by a convention: unadjusted, following (default), modified_following, preceding, modified_preceding';
