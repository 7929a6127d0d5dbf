/*
 * mlyetl_spacing: the spacing walk of `mlyetl filter` as a C aggregate.
 *
 * mlyetl_walk_sequence gets one sequence's rows in (captured_at, id) order. The PL/pgSQL
 * version (three window passes and a PL/pgSQL call per row) costs ~10 us a row; here a
 * row costs a few comparisons and one haversine.
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

/* Is the original at (lat, lon) kept? Advances the walk state. */
static bool
walk_kept(WalkState *state, WalkMode mode, double lat, double lon, double threshold)
{
    bool        kept;

    if (!state->started)
        kept = true;
    else if (mode == WALK_PATH)
    {
        state->sum = state->sum + haversine_m(state->last_lat, state->last_lon, lat, lon);
        kept = state->sum >= threshold;
    }
    else
        kept = haversine_m(state->last_lat, state->last_lon, lat, lon) >= threshold;
    if (kept)
        state->sum = 0.0;
    if (kept || mode == WALK_PATH)
    {
        state->last_lat = lat;
        state->last_lon = lon;
    }
    return kept;
}

PG_FUNCTION_INFO_V1(mlyetl_haversine_m_c);
Datum
mlyetl_haversine_m_c(PG_FUNCTION_ARGS)
{
    PG_RETURN_FLOAT8(haversine_m(PG_GETARG_FLOAT8(0), PG_GETARG_FLOAT8(1),
                                 PG_GETARG_FLOAT8(2), PG_GETARG_FLOAT8(3)));
}

/*
 * mlyetl_walk_sequence (1.1): the whole walk of one sequence in one aggregate call.
 *
 * An aggregate over one sequence's images, fed in (captured_at, id) order by a sorted
 * subquery (sql/filters/walk_c.sql). PostgreSQL feeds a plain aggregate its rows in the
 * order they arrive, which for a sorted subquery is that order; the transition function
 * checks it on every row and raises an error otherwise, so a plan that ever changed it
 * could not produce a wrong walk silently. (A window function would have the order
 * guaranteed, but its per-row tuplestore work cost twice as much here.)
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
sequence_walk_new(FunctionCallInfo fcinfo, MemoryContext mcxt)
{
    SequenceWalk *w = MemoryContextAllocZero(mcxt, sizeof(SequenceWalk));

    w->mcxt = mcxt;
    w->buf.size = 16;
    w->buf.entries = MemoryContextAlloc(mcxt, w->buf.size * sizeof(RunEntry));
    w->thresholds[1] = DatumGetFloat8(strict_arg(fcinfo, 6));
    w->thresholds[0] = DatumGetFloat8(strict_arg(fcinfo, 7));
    w->mode = DatumGetBool(strict_arg(fcinfo, 8)) ? WALK_STRAIGHT : WALK_PATH;
    w->first_at = DatumGetTimestampTz(strict_arg(fcinfo, 1));
    return w;
}

/* One image of the sequence, in (captured_at, id) order. */
static void
sequence_walk_row(SequenceWalk *w, TimestampTz t, int64 id, double lat, double lon, int urban)
{
    DatumList  *lons = &w->lists[LIST_LINE_LON];
    DatumList  *lats = &w->lists[LIST_LINE_LAT];
    int64       original;

    if (w->runs.started && (t < w->last_at || (t == w->last_at && id <= w->last_id)))
        ereport(ERROR,
                (errcode(ERRCODE_INTERNAL_ERROR),
                 errmsg("mlyetl_walk_sequence: rows arrived out of (captured_at, id) order"),
                 errhint("the statement must feed each sequence sorted; this is a bug in its plan")));
    w->last_at = t;
    w->last_id = id;
    original = first_id(&w->runs, &w->buf, t, id, lat, lon);
    w->runs.started = true;
    if (original != id)
    {
        w->duplicates++;
        return;
    }
    if (lons->n > 0)
        w->length_m = w->length_m + haversine_m(DatumGetFloat8(lats->values[lats->n - 1]),
                                                DatumGetFloat8(lons->values[lons->n - 1]), lat, lon);
    w->counts[urban]++;
    datum_list_push(w->mcxt, lons, Float8GetDatum(lon));
    datum_list_push(w->mcxt, lats, Float8GetDatum(lat));
    if (walk_kept(&w->states[urban], w->mode, lat, lon, w->thresholds[urban]))
    {
        w->kept_counts[urban]++;
        datum_list_push(w->mcxt, &w->lists[LIST_KEPT_ID], Int64GetDatum(id));
        datum_list_push(w->mcxt, &w->lists[LIST_KEPT_URBAN], BoolGetDatum(urban == 1));
        datum_list_push(w->mcxt, &w->lists[LIST_KEPT_LON], Float8GetDatum(lon));
        datum_list_push(w->mcxt, &w->lists[LIST_KEPT_LAT], Float8GetDatum(lat));
    }
    w->states[urban].started = true;
}

/* Transition: (state, captured_at, id, lat, lon, urban, spacing_urban, spacing_other, straight). */
PG_FUNCTION_INFO_V1(mlyetl_walk_sequence_step);
Datum
mlyetl_walk_sequence_step(PG_FUNCTION_ARGS)
{
    MemoryContext aggcontext;
    SequenceWalk *w;

    if (!AggCheckCallContext(fcinfo, &aggcontext))
        ereport(ERROR, (errmsg("mlyetl_walk_sequence_step called outside an aggregate")));
    w = PG_ARGISNULL(0) ? sequence_walk_new(fcinfo, aggcontext) : (SequenceWalk *) PG_GETARG_POINTER(0);
    sequence_walk_row(w, DatumGetTimestampTz(strict_arg(fcinfo, 1)), DatumGetInt64(strict_arg(fcinfo, 2)),
                      DatumGetFloat8(strict_arg(fcinfo, 3)), DatumGetFloat8(strict_arg(fcinfo, 4)),
                      DatumGetBool(strict_arg(fcinfo, 5)) ? 1 : 0);
    PG_RETURN_POINTER(w);
}

PG_FUNCTION_INFO_V1(mlyetl_walk_sequence_final);
Datum
mlyetl_walk_sequence_final(PG_FUNCTION_ARGS)
{
    SequenceWalk *w;
    TupleDesc   tupdesc;
    Datum       values[15];
    bool        nulls[15] = {false};

    if (PG_ARGISNULL(0))
        PG_RETURN_NULL();       /* no rows */
    w = (SequenceWalk *) PG_GETARG_POINTER(0);
    if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
        ereport(ERROR, (errmsg("mlyetl_walk_sequence must return type mlyetl_sequence_walk")));
    tupdesc = BlessTupleDesc(tupdesc);
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
