/*
 * mlyetl_spacing: the spacing walk of `mlyetl filter` as a C aggregate.
 *
 * mlyetl_walk_sequence gets one sequence's rows in any order, sorts them by (captured_at,
 * id) itself and walks them. The PL/pgSQL version (three window passes and a PL/pgSQL call
 * per row) costs ~10 us a row; here a row costs an append, its share of a small sort,
 * a few comparisons and one haversine.
 *
 * De-duplication: a row is a duplicate when an earlier row of the same sequence has the
 * same capture time and the same position (exact double equality); its original is the
 * first such row, which in (captured_at, id) order is the lowest id. Only the originals of
 * the current capture time are remembered (a small buffer), so de-duplication costs little.
 *
 * The haversine is written in the operation order of mlyetl_haversine_m (SQL) and of
 * etl/filters/reference.py, and built with -ffp-contract=off, so the three give the same
 * doubles and make the same >= decisions when a running sum lands on the threshold.
 */
#include "postgres.h"

#include <math.h>

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "fmgr.h"
#include "funcapi.h"
#include "utils/array.h"
#include "utils/float.h"
#include "utils/fmgrprotos.h"
#include "utils/timestamp.h"

PG_MODULE_MAGIC;

#define DEG 0.017453292519943295        /* pi / 180 as written in the SQL and Python */
#define EARTH_DIAMETER_M 12742000.0     /* 2 * R, R = 6371 km */

typedef enum WalkMode { WALK_PATH, WALK_STRAIGHT } WalkMode;

/* One original of the current capture time. */
typedef struct RunEntry
{
    int64       id;
    double      lat;
    double      lon;
} RunEntry;

/* The originals seen at the current capture time (emptied when the time changes). */
typedef struct RunBuffer
{
    int         n;
    int         size;
    RunEntry   *entries;
} RunBuffer;

/* One walk's state (a class of a sequence; or, for the duplicate buffer, the sequence). */
typedef struct WalkState
{
    bool        started;        /* a row of this walk was seen */
    TimestampTz run_time;       /* capture time of the buffered originals */
    double      last_lat;       /* path: previous original; straight: last kept point */
    double      last_lon;
    double      sum;            /* path: metres walked since the last kept point */
} WalkState;

static double
haversine_m(double lat1, double lon1, double lat2, double lon2)
{
    double      s_lat = sin((lat2 - lat1) * DEG / 2.0);
    double      s_lon = sin((lon2 - lon1) * DEG / 2.0);
    double      a = s_lat * s_lat + cos(lat1 * DEG) * cos(lat2 * DEG) * s_lon * s_lon;

    if (a > 1.0)                /* least(1.0, a) */
        a = 1.0;
    return EARTH_DIAMETER_M * asin(sqrt(a));
}

/* The original's id of the current row (its own id when it is an original). */
static int64
first_id(WalkState *state, RunBuffer *buf, TimestampTz t, int64 id, double lat, double lon)
{
    if (!state->started || t != state->run_time)
    {
        buf->n = 0;
        state->run_time = t;
    }
    for (int i = 0; i < buf->n; i++)
        if (buf->entries[i].lat == lat && buf->entries[i].lon == lon)
            return buf->entries[i].id;
    if (buf->n == buf->size)
    {
        buf->size *= 2;
        buf->entries = repalloc(buf->entries, buf->size * sizeof(RunEntry));
    }
    buf->entries[buf->n].id = id;
    buf->entries[buf->n].lat = lat;
    buf->entries[buf->n].lon = lon;
    buf->n++;
    return id;
}

/*
 * Is the original at (lat, lon) kept? Advances the walk state. `step`, when not NULL, is
 * the haversine from the state's last point to (lat, lon), already computed by the caller
 * for the same two points (so the same double).
 */
static bool
walk_kept(WalkState *state, WalkMode mode, double lat, double lon, double threshold, const double *step)
{
    bool        kept;

    if (!state->started)
        kept = true;
    else if (mode == WALK_PATH)
    {
        state->sum = state->sum + (step ? *step : haversine_m(state->last_lat, state->last_lon, lat, lon));
        kept = state->sum >= threshold;
    }
    else
        kept = (step ? *step : haversine_m(state->last_lat, state->last_lon, lat, lon)) >= threshold;
    if (kept)
        state->sum = 0.0;
    if (kept || mode == WALK_PATH)
    {
        state->last_lat = lat;
        state->last_lon = lon;
    }
    return kept;
}

/*
 * mlyetl_row_hash(id, xmin): hashint8extended(id, xmin::text::bigint), the per-image term
 * of a sequence's signature (sql/filters/find_dirty.sql, walk_fresh_c.sql), without the two
 * text conversions of the SQL form (~65 ns a row): an xid's text is its unsigned 32-bit value.
 */
PG_FUNCTION_INFO_V1(mlyetl_row_hash);
Datum
mlyetl_row_hash(PG_FUNCTION_ARGS)
{
    int64       id = PG_GETARG_INT64(0);
    TransactionId xmin = DatumGetTransactionId(PG_GETARG_DATUM(1));

    return DirectFunctionCall2(hashint8extended, Int64GetDatum(id), Int64GetDatum((int64) xmin));
}

PG_FUNCTION_INFO_V1(mlyetl_haversine_m_c);
Datum
mlyetl_haversine_m_c(PG_FUNCTION_ARGS)
{
    PG_RETURN_FLOAT8(haversine_m(PG_GETARG_FLOAT8(0), PG_GETARG_FLOAT8(1),
                                 PG_GETARG_FLOAT8(2), PG_GETARG_FLOAT8(3)));
}

/*
 * mlyetl_sun_sine_c(epoch, lon, lat) (1.3): the same float8 as the SQL mlyetl_sun_sine of
 * migrations/sql/0006/10_curation.up.sql (the --daylight test), bit for bit, for every
 * input, so that a result's first computation (walk_fresh_c.sql, this one) and its
 * incremental walk (attribute_predicate.sql, the SQL one) keep the same images.
 *
 * So every step is PostgreSQL's own operator on the same operands in the same order:
 * float8_pl / float8_mul / float8_div of utils/float.h (the operators' functions, with their
 * overflow and underflow errors), radians(x) = float8_mul(x, RADIANS_PER_DEGREE), sin / cos
 * with dsin / dcos's checks, the ::integer cast as dtoi4 (rint, range error), int4 % and a
 * 1-based array subscript that is NULL out of range. The SQL expression evaluates every
 * argument before its operator (a NULL one makes the operator NULL without calling it), so
 * the errors and NULLs come from the same inputs here as there. The tables are built as the
 * migration's DO block builds them (each value went through float8 text output with
 * extra_float_digits >= 1, which round-trips exactly); tests/filters/test_daylight.py
 * compares the two functions on varied and edge inputs.
 */
#define SUN_STEPS 1461

static bool sun_tables_ready = false;
static double sun_sin_decl[SUN_STEPS];
static double sun_cos_decl[SUN_STEPS];
static double sun_eqtime[SUN_STEPS];

/* dsin / dcos of float.c: NaN for NaN, an error for an infinite (or errno-flagged) input. */
static double
pg_trig(double (*fn) (double), double x)
{
    double      result;

    if (isnan(x))
        return get_float8_nan();
    errno = 0;
    result = fn(x);
    if (errno != 0 || isinf(x))
        ereport(ERROR, (errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE), errmsg("input is out of range")));
    if (unlikely(isinf(result)))
        float_overflow_error();
    return result;
}

static double
pg_sin(double x)
{
    return pg_trig(sin, x);
}

static double
pg_cos(double x)
{
    return pg_trig(cos, x);
}

static double
pg_radians(double x)
{
    return float8_mul(x, RADIANS_PER_DEGREE);
}

/* The migration's DO block: y = 2 pi k / 1461 and NOAA's series, operator by operator. */
static void
sun_build_tables(void)
{
    for (int k = 0; k < SUN_STEPS; k++)
    {
        double      y = float8_div(float8_mul(float8_mul(2.0, M_PI), (double) k), 1461.0);
        double      y2 = float8_mul(2.0, y);
        double      y3 = float8_mul(3.0, y);
        double      decl;
        double      eq;

        decl = float8_mi(0.006918, float8_mul(0.399912, pg_cos(y)));
        decl = float8_pl(decl, float8_mul(0.070257, pg_sin(y)));
        decl = float8_mi(decl, float8_mul(0.006758, pg_cos(y2)));
        decl = float8_pl(decl, float8_mul(0.000907, pg_sin(y2)));
        decl = float8_mi(decl, float8_mul(0.002697, pg_cos(y3)));
        decl = float8_pl(decl, float8_mul(0.00148, pg_sin(y3)));

        eq = float8_pl(0.000075, float8_mul(0.001868, pg_cos(y)));
        eq = float8_mi(eq, float8_mul(0.032077, pg_sin(y)));
        eq = float8_mi(eq, float8_mul(0.014615, pg_cos(y2)));
        eq = float8_mi(eq, float8_mul(0.040849, pg_sin(y2)));
        eq = float8_mul(229.18, eq);

        sun_sin_decl[k] = pg_sin(decl);
        sun_cos_decl[k] = pg_cos(decl);
        sun_eqtime[k] = eq;
    }
    sun_tables_ready = true;
}

/*
 * mlyetl_sun_step(epoch) - 1: ((epoch + 2208964608) / 21599.538726899384)::integer % 1461,
 * the 0-based table index, or -1 where the SQL subscript (that + 1) is out of range.
 */
static int
sun_index(double epoch)
{
    double      num = rint(float8_div(float8_pl(epoch, 2208964608.0), 21599.538726899384));
    int32       step;

    if (unlikely(isnan(num) || !FLOAT8_FITS_IN_INT32(num)))
        ereport(ERROR, (errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE), errmsg("integer out of range")));
    step = (int32) num % SUN_STEPS;
    return step >= 0 ? step : -1;
}

/*
 * sin(lat) * sin_decl[s] + cos(lat) * cos_decl[s] * cos(epoch / 240 + eqtime[s] / 4 + lon + 180)
 * (angles in degrees through radians()), evaluated in the SQL expression's order.
 */
PG_FUNCTION_INFO_V1(mlyetl_sun_sine_c);
Datum
mlyetl_sun_sine_c(PG_FUNCTION_ARGS)
{
    bool        has_epoch = !PG_ARGISNULL(0);
    bool        has_lon = !PG_ARGISNULL(1);
    bool        has_lat = !PG_ARGISNULL(2);
    double      epoch = has_epoch ? PG_GETARG_FLOAT8(0) : 0.0;
    double      lon = has_lon ? PG_GETARG_FLOAT8(1) : 0.0;
    double      lat = has_lat ? PG_GETARG_FLOAT8(2) : 0.0;
    int         s = -1;
    double      sin_lat = 0.0;
    double      cos_lat = 0.0;
    double      first = 0.0;
    double      factor = 0.0;
    double      hour = 0.0;
    double      angle;
    double      cos_angle;

    if (!sun_tables_ready)
        sun_build_tables();

    /* sin(radians(lat)) * sin_decl[step(epoch)] */
    if (has_lat)
        sin_lat = pg_sin(pg_radians(lat));
    if (has_epoch)
        s = sun_index(epoch);
    if (has_lat && s >= 0)
        first = float8_mul(sin_lat, sun_sin_decl[s]);

    /* cos(radians(lat)) * cos_decl[step(epoch)] (step(epoch) again: the same, no new error) */
    if (has_lat)
        cos_lat = pg_cos(pg_radians(lat));
    if (has_lat && s >= 0)
        factor = float8_mul(cos_lat, sun_cos_decl[s]);

    /* cos(radians(epoch / 240 + eqtime[step(epoch)] / 4 + lon + 180)) */
    if (has_epoch)
        hour = float8_div(epoch, 240.0);
    if (s < 0 || !has_lon)
        PG_RETURN_NULL();       /* the angle is NULL: nothing after it is computed */
    angle = float8_pl(hour, float8_div(sun_eqtime[s], 4.0));
    angle = float8_pl(float8_pl(angle, lon), 180.0);
    cos_angle = pg_cos(pg_radians(angle));  /* even without lat: an infinite lon raises there */
    if (!has_lat)
        PG_RETURN_NULL();
    PG_RETURN_FLOAT8(float8_pl(first, float8_mul(factor, cos_angle)));
}

/*
 * mlyetl_walk_sequence (1.2): the whole walk of one sequence in one aggregate call.
 *
 * An aggregate over one sequence's images in any order: the transition only appends the
 * row to the group's buffer, and the final function sorts the buffer by (captured_at, id)
 * and walks it. So the statement needs no global sort of all images (1.1 needed a sorted
 * subquery and checked its order on every row), and the aggregate is parallel: each
 * worker collects its share of every sequence (partial aggregation), the states travel
 * serialized to the leader, are concatenated there (combine) and walked once (final). The
 * result cannot depend on the plan or the order the rows arrive in.
 *
 * The final function returns the summary (type mlyetl_sequence_walk): the line of the
 * originals in order (EWKB, SRID 4326; NULL under two originals), the counts, the first
 * and last capture time, the line's length (haversine steps, R = 6371 km) and the kept
 * originals (ids, class, lon, lat). The two classes walk separately (a class's walk is the
 * sequence's rows of that class, in order), exactly as one walk per sequence + class
 * would; a duplicate has the position, hence the class, of its original.
 */

/* A growing array of Datums in the aggregate's memory. */
typedef struct DatumList
{
    int         n;
    int         size;
    Datum      *values;
} DatumList;

enum
{
    LIST_LINE_LON, LIST_LINE_LAT, LIST_KEPT_ID, LIST_KEPT_URBAN, LIST_KEPT_LON, LIST_KEPT_LAT,
    LIST_COUNT
};

typedef struct SequenceWalk
{
    MemoryContext mcxt;         /* the aggregate's context: the lists grow there */
    RunBuffer   buf;            /* originals of the current capture time */
    WalkState   runs;           /* started / run_time, for the duplicate buffer */
    WalkState   states[2];      /* each class's walk: [0] other, [1] urban */
    double      thresholds[2];
    WalkMode    mode;
    DatumList   lists[LIST_COUNT];
    int32       counts[2];
    int32       kept_counts[2];
    int32       duplicates;
    double      length_m;       /* haversine steps between consecutive originals */
    TimestampTz first_at;
    TimestampTz last_at;
    int64       last_id;
} SequenceWalk;

static void
datum_list_push(MemoryContext mcxt, DatumList *list, Datum value)
{
    if (list->n == list->size)
    {
        list->size = list->size ? list->size * 2 : 128;
        list->values = list->values ? repalloc(list->values, list->size * sizeof(Datum))
            : MemoryContextAlloc(mcxt, list->size * sizeof(Datum));
    }
    list->values[list->n++] = value;
}

/* The EWKB of a LineString with SRID 4326 through the points (lon, lat). */
static bytea *
line_ewkb(DatumList *lons, DatumList *lats)
{
    int         n = lons->n;
    Size        size = VARHDRSZ + 1 + 4 + 4 + 4 + (Size) n * 16;
    bytea      *out = palloc(size);
    char       *p = VARDATA(out);
    uint32      type = 2 | 0x20000000;  /* LineString, with SRID */
    uint32      srid = 4326;
    uint32      count = (uint32) n;

    SET_VARSIZE(out, size);
#ifdef WORDS_BIGENDIAN
    *p++ = 0;                   /* XDR: the numbers below are in native (big-endian) order */
#else
    *p++ = 1;                   /* NDR */
#endif
    memcpy(p, &type, 4);
    p += 4;
    memcpy(p, &srid, 4);
    p += 4;
    memcpy(p, &count, 4);
    p += 4;
    for (int i = 0; i < n; i++)
    {
        double      x = DatumGetFloat8(lons->values[i]);
        double      y = DatumGetFloat8(lats->values[i]);

        memcpy(p, &x, 8);
        memcpy(p + 8, &y, 8);
        p += 16;
    }
    return out;
}

static Datum
list_array(DatumList *list, Oid type)
{
    if (type == BOOLOID)
        return PointerGetDatum(construct_array(list->values, list->n, BOOLOID, 1, true, TYPALIGN_CHAR));
    return PointerGetDatum(construct_array(list->values, list->n, type, 8, FLOAT8PASSBYVAL,
                                           TYPALIGN_DOUBLE));
}

static Datum
strict_arg(FunctionCallInfo fcinfo, int argno)
{
    if (PG_ARGISNULL(argno))
        ereport(ERROR,
                (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
                 errmsg("mlyetl_walk_sequence: argument %d is NULL", argno)));
    return PG_GETARG_DATUM(argno);
}

static SequenceWalk *
sequence_walk_new(MemoryContext mcxt, const double thresholds[2], WalkMode mode, TimestampTz first_at)
{
    SequenceWalk *w = MemoryContextAllocZero(mcxt, sizeof(SequenceWalk));

    w->mcxt = mcxt;
    w->buf.size = 16;
    w->buf.entries = MemoryContextAlloc(mcxt, w->buf.size * sizeof(RunEntry));
    w->thresholds[0] = thresholds[0];
    w->thresholds[1] = thresholds[1];
    w->mode = mode;
    w->first_at = first_at;
    return w;
}

/* One image of the sequence, in (captured_at, id) order. */
static void
sequence_walk_row(SequenceWalk *w, TimestampTz t, int64 id, double lat, double lon, int urban)
{
    DatumList  *lons = &w->lists[LIST_LINE_LON];
    DatumList  *lats = &w->lists[LIST_LINE_LAT];
    int64       original;

    /* the final function sorted the rows: equal (time, id) means one image given twice */
    if (w->runs.started && (t < w->last_at || (t == w->last_at && id <= w->last_id)))
        ereport(ERROR,
                (errcode(ERRCODE_INTERNAL_ERROR),
                 errmsg("mlyetl_walk_sequence: image %lld given twice", (long long) id),
                 errhint("the statement must feed each image once")));
    w->last_at = t;
    w->last_id = id;
    original = first_id(&w->runs, &w->buf, t, id, lat, lon);
    w->runs.started = true;
    if (original != id)
    {
        w->duplicates++;
        return;
    }
    {
        WalkState  *walk = &w->states[urban];
        double      step = 0.0;
        bool        same_start = false;

        if (lons->n > 0)
        {
            double      prev_lat = DatumGetFloat8(lats->values[lats->n - 1]);
            double      prev_lon = DatumGetFloat8(lons->values[lons->n - 1]);

            step = haversine_m(prev_lat, prev_lon, lat, lon);
            w->length_m = w->length_m + step;
            /* the class's walk usually starts from the same point as the line's step:
             * reuse that haversine (same inputs, same double) instead of computing it twice */
            same_start = walk->started && walk->last_lat == prev_lat && walk->last_lon == prev_lon;
        }
        w->counts[urban]++;
        datum_list_push(w->mcxt, lons, Float8GetDatum(lon));
        datum_list_push(w->mcxt, lats, Float8GetDatum(lat));
        if (walk_kept(walk, w->mode, lat, lon, w->thresholds[urban], same_start ? &step : NULL))
        {
            w->kept_counts[urban]++;
            datum_list_push(w->mcxt, &w->lists[LIST_KEPT_ID], Int64GetDatum(id));
            datum_list_push(w->mcxt, &w->lists[LIST_KEPT_URBAN], BoolGetDatum(urban == 1));
            datum_list_push(w->mcxt, &w->lists[LIST_KEPT_LON], Float8GetDatum(lon));
            datum_list_push(w->mcxt, &w->lists[LIST_KEPT_LAT], Float8GetDatum(lat));
        }
    }
    w->states[urban].started = true;
}

/* One image as the transition stores it. */
typedef struct WalkPoint
{
    TimestampTz t;
    int64       id;
    double      lat;
    double      lon;
    bool        urban;
} WalkPoint;

/* The aggregate's state: the walk's parameters and the group's images, unsorted. */
typedef struct PointBuffer
{
    double      thresholds[2];  /* [0] other, [1] urban */
    bool        straight;
    int32       n;
    int32       size;
    WalkPoint  *points;
} PointBuffer;

/* Serialized state: the header, then the n points. */
typedef struct PointBufferHeader
{
    double      thresholds[2];
    int32       n;
    bool        straight;
} PointBufferHeader;

static PointBuffer *
point_buffer_new(MemoryContext mcxt, const double thresholds[2], bool straight, int32 size)
{
    PointBuffer *b = MemoryContextAllocZero(mcxt, sizeof(PointBuffer));

    b->thresholds[0] = thresholds[0];
    b->thresholds[1] = thresholds[1];
    b->straight = straight;
    b->size = size > 16 ? size : 16;
    b->points = MemoryContextAllocHuge(mcxt, (Size) b->size * sizeof(WalkPoint));
    return b;
}

/* Room for `more` points; grows in the buffer's own memory context. */
static void
point_buffer_reserve(PointBuffer *b, int32 more)
{
    if ((int64) b->n + more > b->size)
    {
        int64       size = b->size;

        while (size < (int64) b->n + more)
            size *= 2;
        if (size > PG_INT32_MAX)
            ereport(ERROR, (errmsg("mlyetl_walk_sequence: too many images in one sequence")));
        b->points = repalloc_huge(b->points, (Size) size * sizeof(WalkPoint));
        b->size = (int32) size;
    }
}

static int
walk_point_cmp(const void *a, const void *b)
{
    const WalkPoint *p = a;
    const WalkPoint *q = b;

    if (p->t != q->t)
        return p->t < q->t ? -1 : 1;
    if (p->id != q->id)
        return p->id < q->id ? -1 : 1;
    return 0;
}

static MemoryContext
aggregate_context(FunctionCallInfo fcinfo, const char *name)
{
    MemoryContext aggcontext;

    if (!AggCheckCallContext(fcinfo, &aggcontext))
        ereport(ERROR, (errmsg("%s called outside an aggregate", name)));
    return aggcontext;
}

/* Transition: (state, captured_at, id, lat, lon, urban, spacing_urban, spacing_other, straight). */
PG_FUNCTION_INFO_V1(mlyetl_walk_sequence_step);
Datum
mlyetl_walk_sequence_step(PG_FUNCTION_ARGS)
{
    MemoryContext aggcontext = aggregate_context(fcinfo, "mlyetl_walk_sequence_step");
    PointBuffer *b;
    WalkPoint  *p;

    if (PG_ARGISNULL(0))
    {
        double      thresholds[2];

        thresholds[1] = DatumGetFloat8(strict_arg(fcinfo, 6));
        thresholds[0] = DatumGetFloat8(strict_arg(fcinfo, 7));
        b = point_buffer_new(aggcontext, thresholds, DatumGetBool(strict_arg(fcinfo, 8)), 16);
    }
    else
        b = (PointBuffer *) PG_GETARG_POINTER(0);
    point_buffer_reserve(b, 1);
    p = &b->points[b->n++];
    p->t = DatumGetTimestampTz(strict_arg(fcinfo, 1));
    p->id = DatumGetInt64(strict_arg(fcinfo, 2));
    p->lat = DatumGetFloat8(strict_arg(fcinfo, 3));
    p->lon = DatumGetFloat8(strict_arg(fcinfo, 4));
    p->urban = DatumGetBool(strict_arg(fcinfo, 5));
    PG_RETURN_POINTER(b);
}

/* Combine two partial states (parallel aggregation): the second's images join the first. */
PG_FUNCTION_INFO_V1(mlyetl_walk_sequence_combine);
Datum
mlyetl_walk_sequence_combine(PG_FUNCTION_ARGS)
{
    MemoryContext aggcontext = aggregate_context(fcinfo, "mlyetl_walk_sequence_combine");
    PointBuffer *into = PG_ARGISNULL(0) ? NULL : (PointBuffer *) PG_GETARG_POINTER(0);
    PointBuffer *from = PG_ARGISNULL(1) ? NULL : (PointBuffer *) PG_GETARG_POINTER(1);

    if (from == NULL || from->n == 0)
    {
        if (into == NULL)
            PG_RETURN_NULL();
        PG_RETURN_POINTER(into);
    }
    /* `from` may live in a short-lived context (deserialized): copy, never adopt it */
    if (into == NULL)
        into = point_buffer_new(aggcontext, from->thresholds, from->straight, from->n);
    point_buffer_reserve(into, from->n);
    memcpy(&into->points[into->n], from->points, (Size) from->n * sizeof(WalkPoint));
    into->n += from->n;
    PG_RETURN_POINTER(into);
}

PG_FUNCTION_INFO_V1(mlyetl_walk_sequence_serialize);
Datum
mlyetl_walk_sequence_serialize(PG_FUNCTION_ARGS)
{
    PointBuffer *b = (PointBuffer *) PG_GETARG_POINTER(0);
    PointBufferHeader header;
    Size        points = (Size) b->n * sizeof(WalkPoint);
    bytea      *out = palloc(VARHDRSZ + sizeof(header) + points);

    (void) aggregate_context(fcinfo, "mlyetl_walk_sequence_serialize");
    memset(&header, 0, sizeof(header));
    header.thresholds[0] = b->thresholds[0];
    header.thresholds[1] = b->thresholds[1];
    header.n = b->n;
    header.straight = b->straight;
    SET_VARSIZE(out, VARHDRSZ + sizeof(header) + points);
    memcpy(VARDATA(out), &header, sizeof(header));
    memcpy(VARDATA(out) + sizeof(header), b->points, points);
    PG_RETURN_BYTEA_P(out);
}

PG_FUNCTION_INFO_V1(mlyetl_walk_sequence_deserialize);
Datum
mlyetl_walk_sequence_deserialize(PG_FUNCTION_ARGS)
{
    bytea      *in = PG_GETARG_BYTEA_PP(0);
    PointBufferHeader header;
    PointBuffer *b;

    (void) aggregate_context(fcinfo, "mlyetl_walk_sequence_deserialize");
    if (VARSIZE_ANY_EXHDR(in) < sizeof(header))
        ereport(ERROR, (errmsg("mlyetl_walk_sequence: bad serialized state")));
    memcpy(&header, VARDATA_ANY(in), sizeof(header));
    if (VARSIZE_ANY_EXHDR(in) != sizeof(header) + (Size) header.n * sizeof(WalkPoint))
        ereport(ERROR, (errmsg("mlyetl_walk_sequence: bad serialized state")));
    b = point_buffer_new(CurrentMemoryContext, header.thresholds, header.straight, header.n);
    memcpy(b->points, VARDATA_ANY(in) + sizeof(header), (Size) header.n * sizeof(WalkPoint));
    b->n = header.n;
    PG_RETURN_POINTER(b);
}

PG_FUNCTION_INFO_V1(mlyetl_walk_sequence_final);
Datum
mlyetl_walk_sequence_final(PG_FUNCTION_ARGS)
{
    PointBuffer *b;
    SequenceWalk *w;
    TupleDesc   tupdesc;
    Datum       values[15];
    bool        nulls[15] = {false};

    if (PG_ARGISNULL(0))
        PG_RETURN_NULL();       /* no rows */
    b = (PointBuffer *) PG_GETARG_POINTER(0);
    if (b->n == 0)
        PG_RETURN_NULL();
    if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
        ereport(ERROR, (errmsg("mlyetl_walk_sequence must return type mlyetl_sequence_walk")));
    tupdesc = BlessTupleDesc(tupdesc);
    /* sorts the state in place: the aggregate is declared FINALFUNC_MODIFY = READ_WRITE */
    qsort(b->points, b->n, sizeof(WalkPoint), walk_point_cmp);
    w = sequence_walk_new(CurrentMemoryContext, b->thresholds, b->straight ? WALK_STRAIGHT : WALK_PATH,
                          b->points[0].t);
    for (int32 i = 0; i < b->n; i++)
        sequence_walk_row(w, b->points[i].t, b->points[i].id, b->points[i].lat, b->points[i].lon,
                          b->points[i].urban ? 1 : 0);
    if (w->lists[LIST_LINE_LON].n >= 2)
        values[0] = PointerGetDatum(line_ewkb(&w->lists[LIST_LINE_LON], &w->lists[LIST_LINE_LAT]));
    else
        nulls[0] = true;
    values[1] = Int32GetDatum(w->counts[0] + w->counts[1]);
    values[2] = Int32GetDatum(w->counts[1]);
    values[3] = Int32GetDatum(w->counts[0]);
    values[4] = Int32GetDatum(w->duplicates);
    values[5] = Int32GetDatum(w->kept_counts[0] + w->kept_counts[1]);
    values[6] = Int32GetDatum(w->kept_counts[1]);
    values[7] = Int32GetDatum(w->kept_counts[0]);
    values[8] = TimestampTzGetDatum(w->first_at);
    values[9] = TimestampTzGetDatum(w->last_at);
    values[10] = Float8GetDatum(w->length_m);
    values[11] = list_array(&w->lists[LIST_KEPT_ID], INT8OID);
    values[12] = list_array(&w->lists[LIST_KEPT_URBAN], BOOLOID);
    values[13] = list_array(&w->lists[LIST_KEPT_LON], FLOAT8OID);
    values[14] = list_array(&w->lists[LIST_KEPT_LAT], FLOAT8OID);
    PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}
