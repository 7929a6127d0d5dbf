/*
 * mlyetl_spacing: the spacing walk of `mlyetl filter` as a C window function.
 *
 * mlyetl_walk_sequence is evaluated once per row of a window partition (one sequence), in
 * (captured_at, id) order. The PL/pgSQL version (three window passes and a PL/pgSQL call
 * per row) costs ~10 us a row; here a row costs a few comparisons and one haversine.
 *
 * De-duplication: a row is a duplicate when an earlier row of the same sequence has the
 * same capture time and the same position (exact double equality); its original is the
 * first such row, which in (captured_at, id) order is the lowest id. Only the rows of the
 * current capture time are remembered (a buffer reused across partitions), so memory
 * stays small.
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
#include "windowapi.h"

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

/* The originals seen at the current capture time; reused across partitions. */
typedef struct RunBuffer
{
    int         n;
    int         size;
    RunEntry   *entries;
} RunBuffer;

/* One walk's state (a class of a sequence; or, for the duplicate buffer, the sequence). */
typedef struct WalkState
{
    bool        started;        /* a row of this partition was seen */
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

static Datum
arg(WindowObject winobj, int argno)
{
    bool        isnull;
    Datum       value = WinGetFuncArgCurrent(winobj, argno, &isnull);

    if (isnull)
        ereport(ERROR,
                (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
                 errmsg("mlyetl spacing walk: argument %d is NULL", argno + 1)));
    return value;
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
 * mlyetl_walk_sequence (1.1): the whole walk of one sequence in one window function.
 *
 * Evaluated over PARTITION BY sequence ORDER BY (captured_at, id), row by row (each call
 * reads only its own row, the cheap path of the window API). The state lives in the
 * function's memory across calls and is reset at each partition's first row; the
 * partition's last row returns the summary (type mlyetl_sequence_walk): the line of its
 * originals in order (EWKB, SRID 4326; NULL under two originals), the counts, the first
 * and last capture time, and the kept originals (ids, class, lon, lat). Every other row
 * gets NULL, so the statement writes one row per sequence instead of one per image. The
 * two classes walk separately (a class's walk is the sequence's rows of that class, in
 * order), exactly as one partition per sequence + class would; a duplicate has the
 * position, hence the class, of its original.
 */

/* A growing array of Datums, kept in the function's memory and reused across partitions. */
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
    RunBuffer   buf;            /* originals of the current capture time */
    WalkState   runs;           /* started / run_time, for the duplicate buffer */
    WalkState   states[2];      /* each class's walk: [0] other, [1] urban */
    double      thresholds[2];
    WalkMode    mode;
    DatumList   lists[LIST_COUNT];
    int32       counts[2];
    int32       kept_counts[2];
    int32       duplicates;
    TimestampTz first_at;
    TimestampTz last_at;
} SequenceWalk;

static void
datum_list_push(MemoryContext mcxt, DatumList *list, Datum value)
{
    if (list->n == list->size)
    {
        list->size = list->size ? list->size * 2 : 256;
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

static SequenceWalk *
sequence_walk_start(FunctionCallInfo fcinfo, WindowObject winobj)
{
    SequenceWalk *w = (SequenceWalk *) fcinfo->flinfo->fn_extra;

    if (w == NULL)
    {
        w = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(SequenceWalk));
        w->buf.size = 16;
        w->buf.entries = MemoryContextAlloc(fcinfo->flinfo->fn_mcxt, w->buf.size * sizeof(RunEntry));
        fcinfo->flinfo->fn_extra = w;
    }
    w->buf.n = 0;
    memset(&w->runs, 0, sizeof(w->runs));
    memset(w->states, 0, sizeof(w->states));
    for (int i = 0; i < LIST_COUNT; i++)
        w->lists[i].n = 0;
    w->counts[0] = w->counts[1] = 0;
    w->kept_counts[0] = w->kept_counts[1] = 0;
    w->duplicates = 0;
    w->thresholds[1] = DatumGetFloat8(arg(winobj, 5));
    w->thresholds[0] = DatumGetFloat8(arg(winobj, 6));
    w->mode = DatumGetBool(arg(winobj, 7)) ? WALK_STRAIGHT : WALK_PATH;
    w->first_at = DatumGetTimestampTz(arg(winobj, 0));
    return w;
}

static void
sequence_walk_row(SequenceWalk *w, MemoryContext mcxt, WindowObject winobj)
{
    TimestampTz t = DatumGetTimestampTz(arg(winobj, 0));
    int64       id = DatumGetInt64(arg(winobj, 1));
    double      lat = DatumGetFloat8(arg(winobj, 2));
    double      lon = DatumGetFloat8(arg(winobj, 3));
    int         urban = DatumGetBool(arg(winobj, 4)) ? 1 : 0;
    int64       original;

    w->last_at = t;
    original = first_id(&w->runs, &w->buf, t, id, lat, lon);
    w->runs.started = true;
    if (original != id)
    {
        w->duplicates++;
        return;
    }
    w->counts[urban]++;
    datum_list_push(mcxt, &w->lists[LIST_LINE_LON], Float8GetDatum(lon));
    datum_list_push(mcxt, &w->lists[LIST_LINE_LAT], Float8GetDatum(lat));
    if (walk_kept(&w->states[urban], w->mode, lat, lon, w->thresholds[urban]))
    {
        w->kept_counts[urban]++;
        datum_list_push(mcxt, &w->lists[LIST_KEPT_ID], Int64GetDatum(id));
        datum_list_push(mcxt, &w->lists[LIST_KEPT_URBAN], BoolGetDatum(urban == 1));
        datum_list_push(mcxt, &w->lists[LIST_KEPT_LON], Float8GetDatum(lon));
        datum_list_push(mcxt, &w->lists[LIST_KEPT_LAT], Float8GetDatum(lat));
    }
    w->states[urban].started = true;
}

static Datum
sequence_walk_summary(SequenceWalk *w, FunctionCallInfo fcinfo)
{
    TupleDesc   tupdesc;
    Datum       values[14];
    bool        nulls[14] = {false};

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
    values[10] = list_array(&w->lists[LIST_KEPT_ID], INT8OID);
    values[11] = list_array(&w->lists[LIST_KEPT_URBAN], BOOLOID);
    values[12] = list_array(&w->lists[LIST_KEPT_LON], FLOAT8OID);
    values[13] = list_array(&w->lists[LIST_KEPT_LAT], FLOAT8OID);
    return HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls));
}

PG_FUNCTION_INFO_V1(mlyetl_walk_sequence);
Datum
mlyetl_walk_sequence(PG_FUNCTION_ARGS)
{
    WindowObject winobj = PG_WINDOW_OBJECT();
    int64       position = WinGetCurrentPosition(winobj);
    SequenceWalk *w;

    /* rows are read once, in order: let the window's tuplestore forget the earlier ones */
    WinSetMarkPosition(winobj, position);
    w = position == 0 ? sequence_walk_start(fcinfo, winobj) : (SequenceWalk *) fcinfo->flinfo->fn_extra;
    sequence_walk_row(w, fcinfo->flinfo->fn_mcxt, winobj);
    /* the row count spools the partition once; later calls read the cached figure */
    if (position < WinGetPartitionRowCount(winobj) - 1)
        PG_RETURN_NULL();
    PG_RETURN_DATUM(sequence_walk_summary(w, fcinfo));
}
