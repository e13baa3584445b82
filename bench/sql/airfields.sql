-- airfields: the query GET /api/v1/airfields?q=marce runs (api/src/db/airfields.rs search,
-- inside a transaction with SET LOCAL enable_seqscan = off), with its parameters written in.
-- bench: SET enable_seqscan = off
SELECT a.icao, a.iata, a.name, a.city, a.subdivision, a.country, a.elevation_ft,
       a.lat, a.lon, a.tz
FROM airfields a
WHERE (NULL::text IS NULL OR a.country = NULL::bpchar)
  AND (a.search_text LIKE '%' || catalogue_search_text(:'airfield_q') || '%'
       OR catalogue_search_text(:'airfield_q') <% a.search_text)
ORDER BY CASE
           WHEN a.icao = upper(btrim(:'airfield_q'))::bpchar THEN 0
           WHEN a.iata = upper(btrim(:'airfield_q'))::bpchar THEN 1
           WHEN (' ' || catalogue_search_text(a.name))
                LIKE '% ' || catalogue_search_text(:'airfield_q') || '%' THEN 2
           WHEN (' ' || a.search_text) LIKE '% ' || catalogue_search_text(:'airfield_q') || '%' THEN 3
           ELSE 4
         END,
         word_similarity(catalogue_search_text(:'airfield_q'), a.search_text) DESC,
         a.icao
LIMIT 10
