/* Where iommusim's data (presets, workload specs) is, and finding a data file by name. */
#ifndef ISM_DATADIR_H
#define ISM_DATADIR_H

/*
 * The file `make` writes beside the binary it builds, holding the source tree's absolute path.
 * It is never installed: an executable with it beside is the uninstalled build-tree one.
 */
#define ISM_DATADIR_MARKER "iommusim.srcdir"

/* The installed data directory, $(pkgdatadir), set at build time. */
#ifndef ISM_PKGDATADIR
#define ISM_PKGDATADIR "/usr/local/share/iommusim"
#endif

/*
 * The directory holding configs/ and traces/: the source tree named by ISM_DATADIR_MARKER when
 * the running executable (/proc/self/exe) has one beside it, else ISM_PKGDATADIR. Only one of
 * the two, so an installed binary never reads a checkout and a build-tree binary never reads
 * an older installed copy.
 */
const char *ism_datadir(void);

/*
 * Look a data file up by name, as "extends" finds a preset: NAME (".json" appended when it
 * does not end so) in `first` (NULL: none), in each directory of the colon-separated
 * environment variable `env` (NULL: none), then in ism_datadir()/`sub` (NULL: not there).
 * Returns the path found (caller frees), or NULL with *looked (when looked is not NULL) set to
 * "FILE in DIR, DIR, ..." for the error message (caller frees).
 */
char *ism_data_find(const char *name, const char *first, const char *env, const char *sub,
		    char **looked);

/*
 * A file named on the command line: ARG itself when it names a file or is written as a path
 * (absolute, or starting with ./ or ../; opening it then says what is wrong), else ARG looked
 * up as ism_data_find() does (a name like "hw/vtd-default" or "random-16M.json"). Returns the
 * path (caller frees), or NULL after setting err (code ISM_EXIT_CONFIG): "ARG: no such file,
 * nor a WHAT of that name (looked for ...)".
 */
struct ism_err;
char *ism_data_arg(const char *arg, const char *env, const char *sub, const char *what,
		   struct ism_err *err);

#endif
