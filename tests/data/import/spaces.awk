# The address spaces of iommu:map/unmap lines by the rule of docs/traces.md, page by page: a model
# written apart from src/import_ftrace.c for tests/import_cli.sh (IOVAs below 2^53 only).
# Prints, per map or unmap line, "MAP k" or "UNMAP k" (k: the space), then "spaces N",
# "maps_in K N" per space, "unmaps_of_nothing N", "unmaps_partly_mapped N" and "fewest N": the
# most mappings that held one page at once even if every unmap took a mapping off every page it
# names, so that no rule can do with fewer spaces.
function hex(s,   i, v) {
	v = 0
	s = tolower(s)
	sub(/^0x/, "", s)
	for (i = 1; i <= length(s); i++)
		v = v * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1
	return v
}
function field(name,   i) {
	for (i = 1; i <= NF; i++)
		if (index($i, name "=") == 1)
			return substr($i, length(name) + 2)
	return ""
}
function free_in(k, s, e,   p) {
	for (p = s; p < e; p++)
		if ((k, p) in pid)
			return 0
	return 1
}
/ map: IOMMU: / {
	s = int(hex(field("iova")) / 4096)
	e = int((hex(field("iova")) + field("size") + 4095) / 4096)
	seq++
	k = -1
	if (n && free_in(last, s, e))
		k = last
	for (j = 0; k < 0 && j < n; j++)
		if (free_in(j, s, e))
			k = j
	if (k < 0)
		k = n++
	ids++
	for (p = s; p < e; p++) {
		pid[k, p] = ids
		if (++depth[p] > fewest)
			fewest = depth[p]
	}
	pseq[ids] = seq
	cnt[ids] = e - s
	maps_in[k]++
	last = k
	print "MAP", k
	next
}
/ unmap: IOMMU: / {
	s = int(hex(field("iova")) / 4096)
	e = int((hex(field("iova")) + field("size") + 4095) / 4096)
	for (p = s; p < e; p++)
		if (depth[p] > 0)
			depth[p]--
	best = -1; bpages = 0; binside = 0; bnewest = 0
	for (j = 0; j < n; j++) {
		split("", inr)
		pages = 0; newest = 0
		for (p = s; p < e; p++) {
			if (!((j, p) in pid))
				continue
			id = pid[j, p]
			pages++
			inr[id]++
			if (pseq[id] > newest)
				newest = pseq[id]
		}
		inside = 1
		for (id in inr)
			if (inr[id] != cnt[id])
				inside = 0
		if (pages > bpages || (pages && pages == bpages &&
		    (inside > binside || (inside == binside && newest > bnewest)))) {
			best = j; bpages = pages; binside = inside; bnewest = newest
		}
	}
	if (best < 0) {
		nothing++
		print "UNMAP", 0
		next
	}
	if (bpages < e - s)
		partly++
	# A mapping with a hole unmapped in it: its part above the hole is a mapping of its own.
	if ((best, s - 1) in pid && (best, e) in pid && pid[best, s - 1] == pid[best, e]) {
		id = pid[best, e]
		ids++
		pseq[ids] = pseq[id]
		for (p = e; (best, p) in pid && pid[best, p] == id; p++) {
			pid[best, p] = ids
			cnt[id]--
			cnt[ids]++
		}
	}
	for (p = s; p < e; p++) {
		if (!((best, p) in pid))
			continue
		cnt[pid[best, p]]--
		delete pid[best, p]
	}
	print "UNMAP", best
}
END {
	print "spaces", n
	for (j = 0; j < n; j++)
		print "maps_in", j, maps_in[j]
	print "unmaps_of_nothing", nothing + 0
	print "unmaps_partly_mapped", partly + 0
	print "fewest", fewest + 0
}
