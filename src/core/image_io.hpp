// image_io.hpp — every file format gaussmap reads and writes, in one include: atomic writes and
// bounded reads (atomic_file.hpp), the float field as .npy (npy_io.hpp), the picture as .png with
// its scene (png_io.hpp).
#pragma once

#include "atomic_file.hpp"
#include "npy_io.hpp"
#include "png_io.hpp"
