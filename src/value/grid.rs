//! A row-major 2D grid: the matrices of the 2D engines.

/// Rows of different lengths, or data that does not fill `rows × cols`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ShapeError(pub String);

/// A `rows × cols` grid stored row-major: entry `(r, c)` is `data[r·cols + c]`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Grid<T> {
    rows: usize,
    cols: usize,
    data: Vec<T>,
}

impl<T> Grid<T> {
    /// A grid from row-major data; the length must be `rows·cols`.
    pub fn new(rows: usize, cols: usize, data: Vec<T>) -> Result<Grid<T>, ShapeError> {
        if rows.checked_mul(cols) != Some(data.len()) {
            return Err(ShapeError(format!(
                "a {rows}×{cols} matrix needs {} entries, got {}",
                rows as u128 * cols as u128,
                data.len()
            )));
        }
        Ok(Grid { rows, cols, data })
    }

    /// A grid from its rows, which must all have the same length.
    pub fn from_rows(rows: Vec<Vec<T>>) -> Result<Grid<T>, ShapeError> {
        let n = rows.len();
        let cols = rows.first().map_or(0, Vec::len);
        if let Some((i, r)) = rows.iter().enumerate().find(|(_, r)| r.len() != cols) {
            return Err(ShapeError(format!(
                "row {} has {} entries but row 1 has {cols}; all rows of a matrix need the same length",
                i + 1,
                r.len()
            )));
        }
        Ok(Grid {
            rows: n,
            cols,
            data: rows.into_iter().flatten().collect(),
        })
    }

    /// A grid whose entry `(r, c)` is `f(r, c)`.
    pub fn from_fn(rows: usize, cols: usize, mut f: impl FnMut(usize, usize) -> T) -> Grid<T> {
        let mut data = Vec::with_capacity(rows * cols);
        for r in 0..rows {
            for c in 0..cols {
                data.push(f(r, c));
            }
        }
        Grid { rows, cols, data }
    }

    pub fn rows(&self) -> usize {
        self.rows
    }

    pub fn cols(&self) -> usize {
        self.cols
    }

    /// `(rows, cols)`.
    pub fn shape(&self) -> (usize, usize) {
        (self.rows, self.cols)
    }

    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    pub fn get(&self, r: usize, c: usize) -> Option<&T> {
        if r < self.rows && c < self.cols {
            self.data.get(r * self.cols + c)
        } else {
            None
        }
    }

    /// Row `r` as a slice.
    pub fn row(&self, r: usize) -> &[T] {
        &self.data[r * self.cols..(r + 1) * self.cols]
    }

    /// The row-major data.
    pub fn data(&self) -> &[T] {
        &self.data
    }

    pub fn into_data(self) -> Vec<T> {
        self.data
    }

    pub fn map<U>(&self, f: impl FnMut(&T) -> U) -> Grid<U> {
        Grid {
            rows: self.rows,
            cols: self.cols,
            data: self.data.iter().map(f).collect(),
        }
    }

    /// The rows as vectors.
    pub fn to_rows(&self) -> Vec<Vec<T>>
    where
        T: Clone,
    {
        (0..self.rows).map(|r| self.row(r).to_vec()).collect()
    }

    /// Rotated by 180°: entry `(r, c)` is the original `(rows−1−r, cols−1−c)`.
    pub fn flipped(&self) -> Grid<T>
    where
        T: Clone,
    {
        Grid {
            rows: self.rows,
            cols: self.cols,
            data: self.data.iter().rev().cloned().collect(),
        }
    }
}

impl<T> std::ops::Index<(usize, usize)> for Grid<T> {
    type Output = T;

    /// Panics when out of range, like slice indexing.
    fn index(&self, (r, c): (usize, usize)) -> &T {
        assert!(
            r < self.rows && c < self.cols,
            "index ({r}, {c}) out of a {}×{} grid",
            self.rows,
            self.cols
        );
        &self.data[r * self.cols + c]
    }
}

impl<T> std::ops::IndexMut<(usize, usize)> for Grid<T> {
    fn index_mut(&mut self, (r, c): (usize, usize)) -> &mut T {
        assert!(
            r < self.rows && c < self.cols,
            "index ({r}, {c}) out of a {}×{} grid",
            self.rows,
            self.cols
        );
        &mut self.data[r * self.cols + c]
    }
}
