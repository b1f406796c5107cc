import { fireEvent, render, screen } from '@testing-library/react';
import { expect, test } from 'vitest';
import { OcrOverlay } from './OcrOverlay.tsx';

const lines = [
  {
    text: 'Souk web market',
    confidence: 0.999,
    box: [
      [20, 10],
      [300, 10],
      [300, 50],
      [20, 50],
    ],
  },
  {
    text: 'TOTAL 12.50 EUR',
    confidence: 0.992,
    box: [
      [20, 70],
      [290, 70],
      [290, 110],
      [20, 110],
    ],
  },
];

test('draws one box per line over the image, in image pixels, and lists the text', () => {
  render(<OcrOverlay src="data:image/png;base64,AA==" lines={lines} alt="Input image" />);
  const image = screen.getByRole('img', { name: 'Input image' });
  Object.defineProperty(image, 'naturalWidth', { value: 320 });
  Object.defineProperty(image, 'naturalHeight', { value: 120 });
  fireEvent.load(image);
  const svg = screen.getByTestId('ocr-boxes');
  expect(svg).toHaveAttribute('viewBox', '0 0 320 120');
  const polygons = svg.querySelectorAll('polygon');
  expect(polygons).toHaveLength(2);
  expect(polygons[0]).toHaveAttribute('points', '20,10 300,10 300,50 20,50');
  const items = screen.getAllByRole('listitem');
  expect(items.map((li) => li.textContent)).toEqual(['1Souk web market99.9 %', '2TOTAL 12.50 EUR99.2 %']);
});

test('says when no text was found', () => {
  render(<OcrOverlay src={null} lines={[]} alt="Input" />);
  expect(screen.getByText('No text was found.')).toBeInTheDocument();
});
