# SPDX-License-Identifier: MIT
# Schema part: libmyc parses schemas with libyaml (libyaml-dev, deps.sh).
LIBS += -lyaml
