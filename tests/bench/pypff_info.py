"""What `ostdoctor info` computes, done with libpff's Python binding: every folder's name
and item count, walked from the root. The peer in tests/bench/info-vs-peers.sh."""
import sys

import pypff


def walk(folder, depth, out):
    for i in range(folder.number_of_sub_folders):
        sub = folder.get_sub_folder(i)
        out.append(("  " * depth + (sub.name or ""), sub.number_of_sub_messages))
        walk(sub, depth + 1, out)


f = pypff.file()
f.open(sys.argv[1])
rows = []
walk(f.get_root_folder(), 0, rows)
for name, count in rows:
    print(f"{name}\t{count}")
