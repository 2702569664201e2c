/* attache: the search page, better with JavaScript. The page works
   without it (plain GET forms and links, rendered by the daemon); this
   runs searches through POST /search (JSON) in place, keeps the address
   in step (history), and adds keys: "/" search box, j/k or arrows move
   through the hits, Enter opens one. Text of the index only ever goes
   into the page through textContent and attributes, never as markup. */
(function () {
    "use strict";

    var PRE = "\uE000", POST = "\uE001";
    var LIMIT = 10;
    var FILTERS = ["from", "to", "source", "speaker", "author", "actor", "language"];
    var FACETS = [["source", "Source", "source"], ["year", "Year", "from"],
                  ["author", "Author", "author"], ["actor", "Actor", "actor"],
                  ["language", "Language", "language"]];
    var FACET_SHOWN = 10;
    var pending = null;

    /* ---- building elements ---- */

    function el(tag, attrs, kids) {
        var e = document.createElement(tag);
        if (attrs) {
            Object.keys(attrs).forEach(function (k) {
                if (attrs[k] !== null && attrs[k] !== undefined) {
                    e.setAttribute(k, String(attrs[k]));
                }
            });
        }
        (kids || []).forEach(function (k) {
            if (k !== null && k !== undefined) {
                e.appendChild(typeof k === "string" ? document.createTextNode(k) : k);
            }
        });
        return e;
    }

    function clean(s) {
        return String(s).split(PRE).join("").split(POST).join("");
    }

    /* s with the highlight markers as <mark> elements, into parent. */
    function marked(parent, s) {
        var open = null;
        var run = "";
        function flush() {
            if (run) {
                (open || parent).appendChild(document.createTextNode(run));
                run = "";
            }
        }
        for (var i = 0; i < s.length; i++) {
            var c = s.charAt(i);
            if (c === PRE && !open) {
                flush();
                open = el("mark");
            } else if (c === POST && open) {
                flush();
                parent.appendChild(open);
                open = null;
            } else if (c !== PRE && c !== POST) {
                run += c;
            }
        }
        flush();
        if (open) {
            parent.appendChild(open);
        }
    }

    /* s with its byte ranges [[start, end], ...] (UTF-8) in <mark>. */
    function ranged(parent, s, ranges) {
        var bytes = new TextEncoder().encode(clean(s));
        var dec = new TextDecoder();
        var at = 0;
        (ranges || []).forEach(function (r) {
            if (!Array.isArray(r) || r[0] < at || r[1] <= r[0] || r[1] > bytes.length) {
                return;
            }
            parent.appendChild(document.createTextNode(dec.decode(bytes.slice(at, r[0]))));
            parent.appendChild(el("mark", null, [dec.decode(bytes.slice(r[0], r[1]))]));
            at = r[1];
        });
        parent.appendChild(document.createTextNode(dec.decode(bytes.slice(at))));
    }

    function linkable(url) {
        return /^https?:\/\//i.test(url);
    }

    /* ---- the page's parameters ---- */

    function paramsOf(search) {
        var u = new URLSearchParams(search);
        var p = {q: u.get("q") || "", hasQ: u.has("q"), filter: {}, sort: "", offset: 0};
        FILTERS.forEach(function (f) { p.filter[f] = u.get(f) || ""; });
        var s = u.get("sort") || "";
        p.sort = (s === "date" || s === "-date") ? s : "";
        var o = parseInt(u.get("offset") || "0", 10);
        p.offset = (o >= 0 && o <= 100000) ? o : 0;
        return p;
    }

    function copy(p) {
        var c = {q: p.q, hasQ: p.hasQ, filter: {}, sort: p.sort, offset: p.offset};
        FILTERS.forEach(function (f) { c.filter[f] = p.filter[f]; });
        return c;
    }

    function queryArgs(p) {
        var u = new URLSearchParams();
        if (p.hasQ) {
            u.append("q", p.q);
        }
        FILTERS.forEach(function (f) {
            if (p.filter[f]) {
                u.append(f, p.filter[f]);
            }
        });
        if (p.sort) {
            u.append("sort", p.sort);
        }
        return u;
    }

    function hrefOf(p) {
        var u = queryArgs(p);
        if (p.offset > 0) {
            u.append("offset", String(p.offset));
        }
        var s = u.toString();
        return s ? "/?" + s : "/";
    }

    function docHref(id, n, p) {
        var u = new URLSearchParams();
        u.append("id", id);
        if (n >= 0) {
            u.append("p", String(n));
        }
        queryArgs(p).forEach(function (v, k) { u.append(k, v); });
        return "/doc?" + u.toString() + (n >= 0 ? "#p" + n : "");
    }

    function anyFilter(p) {
        return FILTERS.some(function (f) { return p.filter[f] !== ""; });
    }

    function requestOf(p) {
        var filter = {};
        FILTERS.forEach(function (f) {
            if (p.filter[f]) {
                filter[f] = p.filter[f];
            }
        });
        var r = {q: p.q, limit: LIMIT, offset: p.offset, facets: true, filter: filter,
                 highlight: {pre: PRE, post: POST},
                 fields: ["rank", "doc", "passage.n", "snippet", "quotes"]};
        if (p.sort) {
            r.sort = p.sort;
        }
        return r;
    }

    /* ---- rendering a response, as the daemon does ---- */

    function metaOf(doc) {
        var m = el("p", {"class": "meta"});
        if (doc.date) {
            m.appendChild(el("time", {"class": "date", datetime: clean(doc.date)},
                             [clean(doc.date)]));
        }
        if (doc.author) {
            m.appendChild(el("span", {"class": "author"}, [clean(doc.author)]));
        }
        if (doc.source) {
            m.appendChild(el("span", {"class": "source"}, [clean(doc.source)]));
        }
        if (doc.url) {
            var u = clean(doc.url);
            m.appendChild(linkable(u)
                ? el("a", {"class": "url", rel: "noopener noreferrer", href: u}, [u])
                : el("span", {"class": "url"}, [u]));
        }
        return m;
    }

    function quotesOf(quotes) {
        if (!Array.isArray(quotes) || quotes.length === 0) {
            return null;
        }
        var ul = el("ul", {"class": "quotes"});
        quotes.forEach(function (q) {
            if (typeof q.text !== "string") {
                return;
            }
            var qe = el("q");
            ranged(qe, q.text, q.matches);
            var li = el("li", null, [qe]);
            if (q.speaker) {
                var who = el("span", {"class": "who"},
                             [el("span", {"class": "speaker"}, [clean(q.speaker)])]);
                if (q.role) {
                    who.appendChild(document.createTextNode(", "));
                    who.appendChild(el("span", {"class": "role"}, [clean(q.role)]));
                }
                li.appendChild(document.createTextNode(" "));
                li.appendChild(who);
            }
            ul.appendChild(li);
        });
        return ul;
    }

    function hitOf(hit, p) {
        var doc = hit.doc || {};
        var id = typeof doc.id === "string" ? doc.id : "";
        var n = hit.passage && typeof hit.passage.n === "number" ? hit.passage.n : -1;
        var title = el("a", {"class": "title", href: docHref(id, n, p)},
                       [clean(doc.title || id)]);
        var li = el("li", {"class": "hit"}, [el("h3", null, [title]), metaOf(doc)]);
        if (typeof hit.snippet === "string") {
            var sn = el("p", {"class": "snippet"});
            marked(sn, hit.snippet);
            li.appendChild(sn);
        }
        var qs = quotesOf(hit.quotes);
        if (qs) {
            li.appendChild(qs);
        }
        return li;
    }

    function facetOf(kind, map, p) {
        var keys = Object.keys(map || {}).filter(function (k) {
            return typeof map[k] === "number";
        });
        if (keys.length === 0) {
            return null;
        }
        keys.sort(kind[0] === "year" ? function (a, b) { return a < b ? 1 : a > b ? -1 : 0; }
                                     : function (a, b) {
                                         return map[b] - map[a] || (a < b ? -1 : a > b ? 1 : 0);
                                     });
        var ul = el("ul");
        keys.slice(0, FACET_SHOWN).forEach(function (k) {
            var q = copy(p);
            var f = kind[2];
            q.offset = 0;
            q.filter[f] = k;
            var on = p.filter[f] === k;
            if (f === "from") {
                q.filter.to = k;
                on = on && p.filter.to === k;
            }
            ul.appendChild(el("li", null, [el("a", {href: hrefOf(q),
                                                    "aria-current": on ? "true" : null}, [
                el("span", {"class": "value"}, [clean(k)]), " ",
                el("span", {"class": "count"}, [String(map[k])])])]));
        });
        return el("section", {"class": "facet", "data-facet": kind[0]},
                  [el("h3", null, [kind[1]]), ul]);
    }

    function facetsOf(facets, p) {
        if (!facets || typeof facets !== "object") {
            return null;
        }
        var aside = el("aside", {"class": "facets", "aria-label": "Refine"},
                       [el("h2", null, ["Refine"])]);
        FACETS.forEach(function (kind) {
            var s = facetOf(kind, facets[kind[0]], p);
            if (s) {
                aside.appendChild(s);
            }
        });
        return aside;
    }

    function activeOf(p) {
        if (!anyFilter(p)) {
            return null;
        }
        var ul = el("ul", {"class": "active", "aria-label": "Filters in force"});
        FILTERS.forEach(function (f) {
            if (!p.filter[f]) {
                return;
            }
            var q = copy(p);
            q.filter[f] = "";
            q.offset = 0;
            ul.appendChild(el("li", null, [el("a", {href: hrefOf(q),
                                                    title: "Remove this filter"}, [
                f + ": " + p.filter[f] + " ", el("span", {"aria-hidden": "true"}, ["\u00d7"])])]));
        });
        return ul;
    }

    function pagesOf(p, total, nhits) {
        if (p.offset === 0 && p.offset + nhits >= total) {
            return null;
        }
        var nav = el("nav", {"class": "pages", "aria-label": "Pages"});
        var page = Math.floor(p.offset / LIMIT) + 1;
        var npages = Math.max(page, Math.ceil(total / LIMIT));
        var q = copy(p);
        if (p.offset > 0) {
            q.offset = Math.max(0, p.offset - LIMIT);
            nav.appendChild(el("a", {rel: "prev", href: hrefOf(q)}, ["\u2190 Previous"]));
        }
        nav.appendChild(el("span", {"class": "page"}, ["Page " + page + " of " + npages]));
        if (p.offset + nhits < total && p.offset + LIMIT <= 100000) {
            q = copy(p);
            q.offset = p.offset + LIMIT;
            nav.appendChild(el("a", {rel: "next", href: hrefOf(q)}, ["Next \u2192"]));
        }
        return nav;
    }

    function summaryOf(resp, p, box) {
        var t = resp.total || {};
        var est = typeof t.estimate === "number" ? t.estimate : 0;
        var exact = t.lower === t.upper;
        box.appendChild(el("h2", {"class": "total", id: "total", "data-total": est},
                           [(exact ? "" : "About ") + est + " passage" + (est === 1 ? "" : "s") +
                            " match"]));
        if (resp.relaxed === true) {
            box.appendChild(el("p", {"class": "note"},
                               ["No passage holds every word: these hold some of them."]));
        }
        if (typeof resp.spelling === "string") {
            var q = copy(p);
            q.q = resp.spelling;
            q.offset = 0;
            box.appendChild(el("p", {"class": "note"}, ["Did you mean ",
                el("a", {"class": "spelling", href: hrefOf(q)}, [clean(resp.spelling)]), "?"]));
        }
        var act = activeOf(p);
        if (act) {
            box.appendChild(act);
        }
        return est;
    }

    function render(resp, p, box) {
        box.textContent = "";
        if (!resp || resp.ok !== true) {
            var msg = resp && resp.error && resp.error.message;
            box.appendChild(el("p", {"class": "error", role: "alert"},
                               [clean(msg || "The search could not be run.")]));
            return;
        }
        var total = summaryOf(resp, p, box);
        var hits = Array.isArray(resp.hits) ? resp.hits : [];
        var ol = el("ol", {"class": "hits", id: "hits", start: p.offset + 1});
        hits.forEach(function (h) { ol.appendChild(hitOf(h, p)); });
        var layout = el("div", {"class": "layout"}, [ol]);
        var fa = facetsOf(resp.facets, p);
        if (fa) {
            layout.appendChild(fa);
        }
        box.appendChild(layout);
        var pg = pagesOf(p, total, hits.length);
        if (pg) {
            box.appendChild(pg);
        }
    }

    /* ---- running searches ---- */

    function fillForm(form, p) {
        form.elements.q.value = p.q;
        FILTERS.forEach(function (f) {
            if (form.elements[f]) {
                form.elements[f].value = p.filter[f];
            }
        });
        if (form.elements.sort) {
            form.elements.sort.value = p.sort;
        }
    }

    function run(p, push) {
        var box = document.getElementById("results");
        var href = hrefOf(p);
        if (push) {
            history.pushState(null, "", href);
        }
        document.title = (p.q ? p.q + " \u00b7 " : "") + "attache";
        if (pending) {
            pending.abort();
        }
        box.textContent = "";
        if (!p.q && !anyFilter(p)) {
            return;
        }
        var ctl = new AbortController();
        pending = ctl;
        box.setAttribute("aria-busy", "true");
        fetch("/search", {method: "POST", credentials: "same-origin", signal: ctl.signal,
                          headers: {"Content-Type": "application/json"},
                          body: JSON.stringify(requestOf(p))})
            .then(function (r) {
                if (r.status === 401) {
                    throw new Error("login");
                }
                return r.json();
            })
            .then(function (resp) {
                if (pending === ctl) {
                    render(resp, p, box);
                    box.removeAttribute("aria-busy");
                    pending = null;
                }
            })
            .catch(function (e) {
                if (e && e.name === "AbortError") {
                    return;
                }
                /* Let the daemon render it (or ask for the token). */
                location.assign(href);
            });
    }

    function formParams(form) {
        var p = paramsOf("");
        p.hasQ = true;
        p.q = form.elements.q.value;
        FILTERS.forEach(function (f) {
            p.filter[f] = form.elements[f] ? form.elements[f].value.trim() : "";
        });
        p.sort = form.elements.sort ? form.elements.sort.value : "";
        return p;
    }

    /* ---- keys ---- */

    function hitLinks() {
        return Array.prototype.slice.call(document.querySelectorAll(".hit a.title"));
    }

    function move(step) {
        var links = hitLinks();
        if (links.length === 0) {
            return false;
        }
        var i = links.indexOf(document.activeElement);
        i = i < 0 ? (step > 0 ? 0 : links.length - 1)
                  : Math.min(links.length - 1, Math.max(0, i + step));
        document.querySelectorAll(".hit.selected").forEach(function (h) {
            h.classList.remove("selected");
        });
        links[i].closest(".hit").classList.add("selected");
        links[i].focus();
        return true;
    }

    function typing(t) {
        return t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName));
    }

    function onKey(e) {
        if (e.altKey || e.ctrlKey || e.metaKey || typing(e.target)) {
            return;
        }
        var box = document.getElementById("q");
        var done = false;
        if (e.key === "/" && box) {
            box.focus();
            box.select();
            done = true;
        } else if (e.key === "j" || e.key === "ArrowDown") {
            done = move(1);
        } else if (e.key === "k" || e.key === "ArrowUp") {
            done = move(-1);
        }
        if (done) {
            e.preventDefault();
        }
    }

    /* ---- start ---- */

    function startSearch(form) {
        form.addEventListener("submit", function (e) {
            e.preventDefault();
            run(formParams(form), true);
        });
        document.getElementById("results").addEventListener("click", function (e) {
            var a = e.target.closest ? e.target.closest("a") : null;
            if (!a || e.button !== 0 || e.ctrlKey || e.metaKey || e.shiftKey || e.altKey) {
                return;
            }
            var h = a.getAttribute("href") || "";
            if (h === "/" || h.indexOf("/?") === 0) {
                e.preventDefault();
                var p = paramsOf(h.slice(h.indexOf("?") + 1));
                fillForm(form, p);
                run(p, true);
                window.scrollTo(0, 0);
            }
        });
        window.addEventListener("popstate", function () {
            var p = paramsOf(location.search);
            fillForm(form, p);
            run(p, false);
        });
    }

    function start() {
        document.addEventListener("keydown", onKey);
        var form = document.getElementById("search");
        if (form && document.getElementById("results")) {
            startSearch(form);
        }
        var cur = document.querySelector(".passage.current");
        if (cur && !location.hash) {
            cur.scrollIntoView({block: "start"});
        }
        if (cur) {
            cur.focus({preventScroll: true});
        }
    }

    if (document.readyState === "loading") {
        document.addEventListener("DOMContentLoaded", start);
    } else {
        start();
    }
}());
