-- makes: the query GET /api/v1/makes?q=cesn runs (api/src/db/makes.rs search), with its
-- parameters written in.
SELECT m.id, m.name, m.slug, m.kinds, m.country
FROM makes m,
     (SELECT coalesce(catalogue_search_text(:'make_q'), '') AS t,
             replace(coalesce(catalogue_search_text(:'make_q'), ''), ' ', '') AS k) p
WHERE (NULL::text IS NULL OR NULL = ANY (m.kinds))
  AND (p.t = ''
       OR m.search_text LIKE '%' || p.t || '%'
       OR m.search_key LIKE p.k || '%'
       OR p.t <% m.search_text)
ORDER BY (p.t <> '' AND (m.search_text LIKE p.t || '%' OR m.search_key LIKE p.k || '%')) DESC,
         (p.t <> '' AND (' ' || m.search_text) LIKE '% ' || p.t || '%') DESC,
         word_similarity(p.t, m.search_text) DESC,
         m.name
LIMIT 10
