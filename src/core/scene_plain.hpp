// scene_plain.hpp — the fast path of scene loading: a scene JSON text in the plain form (what
// gaussmap writes, and what people and scripts write by hand) read straight into a Scene, with no
// DOM. A 50,000-kernel scene (4 MB) took 130 ms through nlohmann's DOM and the key-path checks of
// scene_io.cpp; this reader is a handler of nlohmann's SAX events (the same lexer as the general
// reader, so numbers and strings convert identically) that fills the Scene as the events come:
// about 47 ms for that scene on a loaded machine, of which nlohmann's lexer alone takes 44
// (docs/performance.md, "Parsing, page faults and colorize").
//
// It reads a strict subset of JSON: one object of the known keys only, each at most once in its
// object; numbers that are finite doubles; integers (width, height, contours) as integer tokens
// (no fraction or exponent) within their limits; enum names and "auto" as strings. Anything else,
// and every error, makes it answer nullopt, and the caller runs the general reader
// (scene_io.cpp), which accepts every valid form and names what is wrong: messages come from one
// place only. What it returns is what the general reader builds before validate() (tests/core
// compare the two, bit for bit, on valid and mangled texts).
#pragma once

#include <optional>
#include <string_view>

#include "scene.hpp"
#include "scene_io.hpp"

namespace gm {

// The scene of `text`, not yet validated, or nullopt when the text is not in the plain form (or
// is not a valid scene at all). `use` sets the width and height limits, as in scene_io.hpp.
std::optional<Scene> read_plain_scene(std::string_view text, GridUse use);

}  // namespace gm
