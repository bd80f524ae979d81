// Command overlay writes the Go build overlay (go build -overlay) that fixes known bugs of the pinned
// Fabric commit without forking it: each fix is an exact text replacement in one file of the module,
// and a fix whose text is not found fails the build loudly instead of building unpatched binaries.
//
// Usage: go run ./overlay <fabric module dir> <output dir>; prints the overlay file's path.
//
// Why patch at all: the Go module proxy here refuses Fabric versions later than the pinned commit,
// so fixes released after it (Fabric 2.5.1 and on) cannot be had by moving the pin.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

type fix struct {
	file, why, find, replace string
}

// Fabric issue #4199 (fixed upstream after 2.5.0): on restart, an orderer replaying Raft
// configuration changes from its WAL deadlocks. The chain goroutine, applying a ConfChange, waits
// for the node goroutine to sync the WAL, while the node goroutine waits for the chain goroutine to
// take the next batch of committed entries. Every node of a young channel (no Raft snapshot yet, so
// the WAL still holds the bootstrap ConfChanges) hangs so: a restarted cluster never elects a
// leader, and a restarted node accepts transactions it never orders. The fix syncs the WAL in the
// node goroutine, before it hands entries holding a ConfChange to the chain.
var fixes = []fix{
	{
		file: "orderer/consensus/etcdraft/chain.go",
		why:  "the chain goroutine no longer asks the node goroutine for a WAL sync (Fabric #4199)",
		find: "\t\t\t// persist the WAL entries into disk\n\t\t\tc.Node.storage.WALSyncC <- struct{}{}\n",
		replace: "\t\t\t// The node goroutine synced the WAL before handing this ConfChange over (Fabric #4199).\n",
	},
	{
		file: "orderer/consensus/etcdraft/node.go",
		why:  "the node goroutine syncs the WAL before handing over entries that hold a ConfChange (Fabric #4199)",
		find: "\t\t\t// skip empty apply\n\t\t\tif len(rd.CommittedEntries) != 0 || rd.SoftState != nil {\n",
		replace: "\t\t\tfor _, e := range rd.CommittedEntries {\n" +
			"\t\t\t\tif e.Type == raftpb.EntryConfChange {\n" +
			"\t\t\t\t\tif err := n.storage.Sync(); err != nil {\n" +
			"\t\t\t\t\t\tn.logger.Warnf(\"Failed to sync raft log, error: %s\", err)\n" +
			"\t\t\t\t\t}\n" +
			"\t\t\t\t\tbreak\n" +
			"\t\t\t\t}\n" +
			"\t\t\t}\n\n" +
			"\t\t\t// skip empty apply\n\t\t\tif len(rd.CommittedEntries) != 0 || rd.SoftState != nil {\n",
	},
}

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: overlay <fabric module dir> <output dir>")
		os.Exit(2)
	}
	moduleDir, outDir := os.Args[1], os.Args[2]
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		fail(err)
	}
	replace := map[string]string{}
	for i, f := range fixes {
		original := filepath.Join(moduleDir, f.file)
		src, err := os.ReadFile(original)
		if err != nil {
			fail(err)
		}
		text := string(src)
		if prior, ok := replace[original]; ok {
			if src, err = os.ReadFile(prior); err != nil {
				fail(err)
			}
			text = string(src)
		}
		if strings.Count(text, f.find) != 1 {
			fail(fmt.Errorf("%s: the text this fix replaces is not there exactly once (%s); the pin moved?", f.file, f.why))
		}
		patched := filepath.Join(outDir, fmt.Sprintf("%02d-%s", i, filepath.Base(f.file)))
		if err := os.WriteFile(patched, []byte(strings.Replace(text, f.find, f.replace, 1)), 0o644); err != nil {
			fail(err)
		}
		replace[original] = patched
	}
	overlay, _ := json.MarshalIndent(map[string]any{"Replace": replace}, "", "  ")
	file := filepath.Join(outDir, "overlay.json")
	if err := os.WriteFile(file, overlay, 0o644); err != nil {
		fail(err)
	}
	fmt.Println(file)
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "overlay:", err)
	os.Exit(1)
}
